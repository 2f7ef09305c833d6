// Bad input: each malformed object gets a clear error naming the problem (and the code says
// whether it is broken or merely unsupported); a bounded mutation fuzz of the reader never
// crashes and always ends in a value or an error with a message.
#include <chrono>
#include <random>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "client/channel.h"
#include "client/dicom/us_reader.h"
#include "tests/client/subprocess.h"
#include "tests/dicom/dicom_test_util.h"

namespace botm::dicom {
namespace {

using testing::Malformation;

struct BadCase {
  const char* name;
  Malformation kind;
  absl::StatusCode code;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, RejectedWithAClearError) {
  const BadCase& c = GetParam();
  const std::string path = botm::testing::MakeTempDir(c.name) + "/bad.dcm";
  absl::StatusOr<std::string> phrase = testing::WriteMalformed(c.kind, path);
  ASSERT_TRUE(phrase.ok()) << phrase.status();
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(path, ReaderOptions());
  ASSERT_FALSE(clip.ok());
  EXPECT_EQ(clip.status().code(), c.code) << clip.status();
  EXPECT_TRUE(absl::StrContains(clip.status().message(), *phrase)) << clip.status();
  EXPECT_FALSE(absl::StrContains(clip.status().message(), "SENTINEL")) << clip.status();
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, BadInput,
    ::testing::Values(
        BadCase{"not_dicom", Malformation::kNotDicom, absl::StatusCode::kInvalidArgument},
        BadCase{"truncated_file", Malformation::kTruncatedFile, absl::StatusCode::kInvalidArgument},
        BadCase{"truncated_pixels", Malformation::kTruncatedPixelData,
                absl::StatusCode::kInvalidArgument},
        BadCase{"wrong_vr", Malformation::kWrongVr, absl::StatusCode::kInvalidArgument},
        BadCase{"huge", Malformation::kHugeDimensions, absl::StatusCode::kInvalidArgument},
        BadCase{"no_pixels", Malformation::kMissingPixelData, absl::StatusCode::kInvalidArgument},
        BadCase{"jpeg2000", Malformation::kUnsupportedTransferSyntax,
                absl::StatusCode::kUnimplemented},
        BadCase{"doppler", Malformation::kColourDoppler, absl::StatusCode::kUnimplemented}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

// Regression (found by the fuzz below): an RLE fragment whose segment offset points past the
// fragment made DCMTK 3.6.7's RLE decoder read out of bounds (SIGSEGV); the reader's own
// decoder rejects it.
TEST(BadInputRle, SegmentOffsetOutsideTheFragmentIsRejected) {
  FixtureOptions options;
  options.encoding = FixtureEncoding::kRle;
  options.frames = 2;
  const std::string path = botm::testing::MakeTempDir("rle_offset") + "/rle.dcm";
  ASSERT_TRUE(WriteSyntheticUltrasound(options, path).ok());
  std::string bytes = *client::ReadFileToString(path);
  // One segment (mono, 8 bit) starting right after the 64-byte header (PS3.5 G.5).
  const std::string header("\x01\0\0\0\x40\0\0\0", 8);
  const size_t at = bytes.find(header);
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at + 4, 4, std::string("\xff\xff\xff\x7f", 4));
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundBuffer(bytes, ReaderOptions());
  ASSERT_FALSE(clip.ok());
  EXPECT_EQ(clip.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(clip.status().message(), "RLE frame 1")) << clip.status();
}

// Mutations of valid fixtures: byte flips, runs of 0x00/0xFF, truncations and inserted bytes,
// with a fixed seed. Bounded by count and by time (whichever ends first).
TEST(ReaderFuzz, MutatedFilesNeverCrashTheReader) {
  constexpr int kMutations = 20000;
  constexpr auto kBudget = std::chrono::seconds(60);
  const std::string dir = botm::testing::MakeTempDir("fuzz");
  std::vector<std::string> seeds;
  for (FixtureEncoding e : {FixtureEncoding::kExplicitLittle, FixtureEncoding::kJpegBaseline,
                            FixtureEncoding::kRle, FixtureEncoding::kImplicitLittle}) {
    FixtureOptions options;
    options.frames = 2;
    options.sector_px = 48;
    options.margin_left_px = options.margin_top_px = 4;
    options.margin_right_px = options.margin_bottom_px = 4;
    options.encoding = e;
    options.study_instance_uid = "2.25.1";  // fixed UIDs: the same seed bytes on every run
    options.series_instance_uid = "2.25.2";
    options.sop_instance_uid = "2.25.3";
    options.colour =
        e == FixtureEncoding::kJpegBaseline ? FixtureColour::kRgb : FixtureColour::kMonochrome2;
    const std::string path = dir + "/seed" + std::to_string(seeds.size()) + ".dcm";
    ASSERT_TRUE(WriteSyntheticUltrasound(options, path).ok());
    seeds.push_back(*client::ReadFileToString(path));
  }
  ReaderOptions limits;
  limits.max_decoded_bytes = 64 << 20;
  limits.max_frames = 64;
  std::mt19937_64 rng(20240601);
  const auto start = std::chrono::steady_clock::now();
  int ran = 0, accepted = 0;
  for (; ran < kMutations && std::chrono::steady_clock::now() - start < kBudget; ++ran) {
    std::string bytes = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.replace(at, std::min<size_t>(8, bytes.size() - at), 8, (rng() & 1) ? '\xff' : '\0');
          break;
        case 2:
          bytes.resize(at);
          break;
        default:
          bytes.insert(at, 1 + rng() % 4, static_cast<char>(rng()));
          break;
      }
    }
    absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundBuffer(bytes, limits);
    if (clip.ok()) {
      ++accepted;
      EXPECT_EQ(clip->frames.size(), clip->timestamps_us.size());
    } else {
      EXPECT_FALSE(clip.status().message().empty());
    }
  }
  std::printf("reader fuzz: %d mutated files, %d still readable\n", ran, accepted);
  EXPECT_GE(ran, 500);  // the time budget is generous; far fewer means something hangs
}

}  // namespace
}  // namespace botm::dicom
