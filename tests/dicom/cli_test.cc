// botm-dicom's command line: exit codes and what it prints.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/client/subprocess.h"
#include "tests/dicom/dicom_test_util.h"

namespace botm::dicom {
namespace {

// `segment` with a bad file stops before the service (exit 2, not 1 for an unreachable
// service) and writes or sends nothing; `info` reports a good file as JSON.
TEST(DicomCommand, BadInputIsRejectedBeforeAnythingIsSent) {
  const std::string dir = botm::testing::MakeTempDir("cli_bad");
  ASSERT_TRUE(
      testing::WriteMalformed(testing::Malformation::kColourDoppler, dir + "/bad.dcm").ok());
  const std::string unused = absl::StrCat("127.0.0.1:", botm::testing::PickFreePort());
  absl::StatusOr<botm::testing::CommandResult> run =
      botm::testing::RunCommand({BOTM_DICOM_BIN, "segment", dir + "/bad.dcm", "--server=" + unused,
                                 "--out=" + dir + "/out", "--send=ORTHANC@" + unused},
                                absl::Seconds(60));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 2) << run->output;
  EXPECT_TRUE(absl::StrContains(run->output, "colour Doppler")) << run->output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out"));

  FixtureOptions options;
  options.frames = 5;
  ASSERT_TRUE(WriteSyntheticUltrasound(options, dir + "/good.dcm").ok());
  run = botm::testing::RunCommand({BOTM_DICOM_BIN, "info", dir + "/good.dcm"}, absl::Seconds(60));
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->output;
  const nlohmann::json info = nlohmann::json::parse(run->output);
  EXPECT_EQ(info["frames"], 5);
  EXPECT_EQ(info["calibrated"], true);
  EXPECT_FALSE(absl::StrContains(run->output, "SENTINEL"));
}

}  // namespace
}  // namespace botm::dicom
