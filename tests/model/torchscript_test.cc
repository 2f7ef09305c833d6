// The TorchScript route of Segmenter: a module built and saved here with torch::jit (no Python
// needed), loaded through the torch-free interface and checked against a direct evaluation.
#include <torch/script.h>
#include <torch/torch.h>

#include <gtest/gtest.h>

#include "core/model/internal/preprocess.h"
#include "core/model/segmenter.h"

namespace botm {
namespace {

// A 3x3 conv "segmenter" obeying the contract forward(a, b) -> logits [B, classes, S, S].
std::string SaveScript(const std::string& name, int classes, int input_size) {
  torch::jit::Module m("ContractProbe");
  torch::manual_seed(9);
  m.register_parameter("weight", torch::randn({classes, 2, 3, 3}), false);
  m.register_parameter("bias", torch::randn({classes}), false);
  m.register_attribute("input_size", c10::IntType::get(), c10::IValue(int64_t{input_size}));
  m.define(R"JIT(
def forward(self, a, b):
    x = torch.cat([a, b], 1)
    return torch.conv2d(x, self.weight, self.bias, [1, 1], [1, 1])
)JIT");
  const std::string path = ::testing::TempDir() + "/" + name + ".ts";
  m.save(path);
  return path;
}

TEST(TorchScriptTest, ContractModuleSegmentsLikeDirectEvaluation) {
  const std::string path = SaveScript("probe", 4, 48);
  SegmenterOptions options;
  options.model_path = path;
  options.device = Device::kCpu;
  auto seg = Segmenter::Create(options);
  ASSERT_TRUE(seg.ok()) << seg.status();
  EXPECT_EQ((*seg)->info().variant, "torchscript");
  EXPECT_EQ((*seg)->info().input_size, 48);
  cv::Mat a(48, 48, CV_8UC1), b(48, 48, CV_8UC1);
  cv::randu(a, 0, 255);
  cv::randu(b, 0, 255);
  auto encoded = (*seg)->Encode(std::vector<cv::Mat>{a, b});
  ASSERT_TRUE(encoded.ok());
  auto out = (*seg)->Decode(std::vector<DecodeRequest>{{(*encoded)[0], (*encoded)[1]}});
  ASSERT_TRUE(out.ok()) << out.status();
  // Direct: the documented normalisation, then the module, then argmax.
  torch::jit::Module m = torch::jit::load(path);
  const auto tensor = [](const cv::Mat& img) {
    cv::Mat f = *internal::PreprocessFrame(img, 48);
    return (torch::from_blob(f.data, {1, 1, 48, 48}, torch::kFloat32).clone() - 0.5) / 0.25;
  };
  const torch::Tensor logits = m.forward({tensor(a), tensor(b)}).toTensor();
  const torch::Tensor labels = logits.argmax(1)[0].to(torch::kUInt8).contiguous();
  const cv::Mat expected(48, 48, CV_8UC1, labels.data_ptr<uint8_t>());
  EXPECT_EQ(cv::countNonZero((*out)[0].labels != expected), 0);
  EXPECT_TRUE((*out)[0].transport_plan.empty());
}

TEST(TorchScriptTest, ContractBreakingModuleIsRejected) {
  SegmenterOptions options;
  options.model_path = SaveScript("three_classes", 3, 48);
  options.device = Device::kCpu;
  auto seg = Segmenter::Create(options);
  ASSERT_FALSE(seg.ok());
  EXPECT_EQ(seg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(seg.status().message()).find("contract"), std::string::npos);
}

}  // namespace
}  // namespace botm
