// AdmissionController and RatePolicer on a fake clock: retry hints derived from the measured
// drain rate and sent as RetryInfo, the rate a stream may send at, token-bucket policing.
#include <gtest/gtest.h>

#include "server/admission.h"
#include "server/rate_policer.h"
#include "server/status_util.h"
#include "tests/server/fake_segmenter.h"

namespace botm::server {
namespace {

using testing::FakeClock;

TEST(AdmissionRetryTest, RetryDelayFollowsTheMeasuredDrainRate) {
  FakeClock clock;
  AdmissionOptions o;
  o.max_streams = 1;
  o.default_retry_ms = 1000;
  o.clock = &clock;
  AdmissionController admission(o);
  EXPECT_EQ(admission.RetryDelay(), absl::Seconds(1));  // nothing measured yet
  for (int i = 0; i < 4; ++i) {
    auto ticket = admission.AdmitStream();
    ASSERT_TRUE(ticket.ok());
    ASSERT_TRUE(admission.AdmitLoad(ticket->get(), 10).ok());
    auto refused = admission.AdmitStream();
    ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
    // A refusal is transient: it says when to retry.
    EXPECT_EQ(RetryDelay(refused.status()), admission.RetryDelay());
    clock.Advance(absl::Seconds(2));
  }                                                     // one stream ends every 2 s
  EXPECT_EQ(admission.RetryDelay(), absl::Seconds(2));  // ends at 2, 4, 6, 8 s; now 8 s
  // A call refused at its config (no load admitted) does not count as drain.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(admission.AdmitStream().ok());
  EXPECT_EQ(admission.RetryDelay(), absl::Seconds(2));
  clock.Advance(absl::Hours(1));  // the drain stopped: retry much later (clamped)
  EXPECT_EQ(admission.RetryDelay(), absl::Milliseconds(o.max_retry_ms));
}

TEST(AdmissionRetryTest, AllowedRateIsTheDeclaredRatePlusUnclaimedCapacity) {
  AdmissionOptions o;
  o.capacity_frames_per_second = 10;
  o.load_factor = 1.0;
  o.rate_tolerance = 1.25;
  AdmissionController admission(o);
  auto a = admission.AdmitStream();
  auto b = admission.AdmitStream();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(admission.AdmitLoad(a->get(), 2).ok());
  EXPECT_DOUBLE_EQ(admission.AllowedRate(**a), 2 * 1.25 + 8);
  ASSERT_TRUE(admission.AdmitLoad(b->get(), 6).ok());
  EXPECT_DOUBLE_EQ(admission.AllowedRate(**a), 2 * 1.25 + 2);
  AdmissionOptions off;
  off.load_factor = 0;
  AdmissionController unchecked(off);
  auto c = unchecked.AdmitStream();
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(unchecked.AllowedRate(**c) < 1e300);  // not policed
}

TEST(RatePolicerTest, BurstThenTheAllowedRate) {
  RatePolicer p(/*burst_frames=*/2);
  const absl::Time t0 = absl::FromUnixSeconds(100);
  EXPECT_EQ(p.Take(t0, 1.0), absl::ZeroDuration());
  EXPECT_EQ(p.Take(t0, 1.0), absl::ZeroDuration());
  EXPECT_EQ(p.Take(t0, 1.0), absl::Seconds(1));
  EXPECT_EQ(p.Take(t0 + absl::Seconds(1), 1.0), absl::Seconds(1));
  EXPECT_EQ(p.Take(t0 + absl::Seconds(10), 1.0), absl::ZeroDuration());  // refilled to the burst
  EXPECT_EQ(p.Take(t0, std::numeric_limits<double>::infinity()), absl::ZeroDuration());
}

}  // namespace
}  // namespace botm::server
