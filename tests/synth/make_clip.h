// Test helper: a generator for the options, or nullptr with a test failure naming the status.
#ifndef BOTM_TESTS_SYNTH_MAKE_CLIP_H_
#define BOTM_TESTS_SYNTH_MAKE_CLIP_H_

#include <memory>

#include <gtest/gtest.h>

#include "core/synth/echo_generator.h"

namespace botm::synth {

inline std::unique_ptr<EchoGenerator> MakeClip(const ClipOptions& o) {
  auto gen = EchoGenerator::Create(o);
  EXPECT_TRUE(gen.ok()) << gen.status();
  return gen.ok() ? std::move(*gen) : nullptr;
}

}  // namespace botm::synth

#endif  // BOTM_TESTS_SYNTH_MAKE_CLIP_H_
