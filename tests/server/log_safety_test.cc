// Regression tests (issue 9, defect 5): client-supplied strings (view, client_tag, model_name
// and messages derived from them) are escaped and bounded in both log formats; a newline and
// an ANSI escape in `view` forged an [error] line, and a 1 MB tag made a 1 MB line.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/botm_server.h"
#include "server/logging.h"
#include "tests/server/test_calls.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::Connect;

const char kForgedView[] = "A4C\n[2026-01-01 00:00:00.000] [error] forged\x1b[31m \"quoted\"";

// Runs one stream with hostile config strings and one with a hostile model_name.
void RunHostileStreams(int port) {
  auto stub = v1::SegmentationService::NewStub(Connect(port));
  {
    grpc::ClientContext ctx;
    auto s = stub->SegmentStream(&ctx);
    v1::SegmentStreamRequest req;
    req.mutable_config()->set_view(kForgedView);
    req.mutable_config()->set_client_tag(std::string(1 << 20, 'x'));
    ASSERT_TRUE(s->Write(req));
    *req.mutable_frame() = testing::PngFrame(testing::SyntheticFrames(1)[0], 0);
    ASSERT_TRUE(s->Write(req));
    s->WritesDone();
    v1::SegmentStreamResponse r;
    while (s->Read(&r)) {
    }
    EXPECT_TRUE(s->Finish().ok());
  }
  grpc::ClientContext ctx;
  auto s = stub->SegmentStream(&ctx);
  v1::SegmentStreamRequest req;
  req.mutable_config()->set_model_name(std::string("evil\r\n[error] model\x07") +
                                       std::string(100000, 'm'));
  s->Write(req);
  s->WritesDone();
  EXPECT_EQ(s->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

void ExpectSafeLines(const std::vector<std::string>& lines) {
  ASSERT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    EXPECT_LT(line.size(), 2048u) << line.substr(0, 200);
    for (char c : line) {
      ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          << "control byte " << int(c) << " in: " << line.substr(0, 200);
    }
    // Without a raw newline the forged prefix can only appear inside a line, never start one.
    EXPECT_NE(line.rfind("[2026-01-01 00:00:00.000] [error]", 0), 0u) << line;
  }
}

TEST(LogSafetyTest, LogSafeEscapesAndBounds) {
  EXPECT_EQ(LogSafe("a\nb\x1b[31m\"q\"\\"), "a\\nb\\x1b[31m\\\"q\\\"\\\\");
  EXPECT_EQ(LogSafe(std::string(10, 'x'), 4), "xxxx...(+6 bytes)");
  EXPECT_EQ(LogSafe("\xc3\xa9"), "\\xc3\\xa9");
}

TEST(LogSafetyTest, TextLinesEscapeAndBoundClientStrings) {
  auto server = testing::StartReady(testing::LoopbackOptions(1));
  ASSERT_NE(server, nullptr);
  testing::LogCapture log;
  RunHostileStreams(server->port());
  ASSERT_TRUE(log.WaitFor("stream end"));
  ASSERT_TRUE(log.WaitFor("evil"));
  ExpectSafeLines(log.Lines());
  EXPECT_TRUE(log.Contains("A4C\\n[2026-01-01"));  // escaped, still readable
}

TEST(LogSafetyTest, JsonLinesAreValidJsonWithEscapedClientStrings) {
  ASSERT_TRUE(ConfigureLogging("json").ok());
  auto server = testing::StartReady(testing::LoopbackOptions(1));
  ASSERT_NE(server, nullptr);
  testing::LogCapture log;
  RunHostileStreams(server->port());
  EXPECT_TRUE(log.WaitFor("stream end"));
  EXPECT_TRUE(log.WaitFor("evil"));
  const std::vector<std::string> lines = log.Lines();
  server.reset();
  ASSERT_TRUE(ConfigureLogging("text").ok());
  ExpectSafeLines(lines);
  bool saw_view = false;
  for (const std::string& line : lines) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << line.substr(0, 300);
    ASSERT_TRUE(j.contains("msg") && j["msg"].is_string()) << line.substr(0, 300);
    saw_view |= j["msg"].get<std::string>().find("A4C\\n[2026") != std::string::npos;
  }
  EXPECT_TRUE(saw_view);
}

}  // namespace
}  // namespace botm::server
