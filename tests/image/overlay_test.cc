#include "core/image/overlay.h"

#include <gtest/gtest.h>

namespace botm::image {
namespace {

TEST(RenderOverlay, BlendsClassColourInside) {
  cv::Mat image(40, 40, CV_8UC1, cv::Scalar(100));
  cv::Mat labels(40, 40, CV_8UC1, cv::Scalar(0));
  labels(cv::Rect(10, 10, 20, 20)).setTo(1);
  OverlayOptions options;
  options.alpha = 0.5f;
  options.contour_thickness_px = 0;
  const cv::Mat out = RenderOverlay(image, labels, options);
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(100, 100, 100));
  const cv::Vec3b c = ClassColor(1);
  const cv::Vec3b inside = out.at<cv::Vec3b>(20, 20);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(inside[k], 0.5 * 100 + 0.5 * c[k], 1.0);
}

TEST(RenderOverlay, DrawsContourInClassColour) {
  cv::Mat image(40, 40, CV_16UC1, cv::Scalar(0));
  cv::Mat labels(40, 40, CV_8UC1, cv::Scalar(0));
  labels(cv::Rect(10, 10, 20, 20)).setTo(3);
  const cv::Mat out = RenderOverlay(image, labels, 0.0f);
  EXPECT_EQ(out.at<cv::Vec3b>(10, 15), ClassColor(3));       // on the outline
  EXPECT_EQ(out.at<cv::Vec3b>(20, 20), cv::Vec3b(0, 0, 0));  // alpha 0 inside
}

TEST(RenderOverlay, ResizesLabelsToImage) {
  cv::Mat image(40, 60, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::Mat labels(20, 30, CV_8UC1, cv::Scalar(2));
  const cv::Mat out = RenderOverlay(image, labels, 1.0f);
  EXPECT_EQ(out.size(), image.size());
  EXPECT_EQ(out.at<cv::Vec3b>(39, 59), ClassColor(2));
}

TEST(ClassColors, DistinctAndDominantChannel) {
  EXPECT_GT(ClassColor(1)[2], ClassColor(1)[0]);  // LV red-ish
  EXPECT_GT(ClassColor(2)[1], ClassColor(2)[2]);  // myocardium green
  EXPECT_GT(ClassColor(3)[0], ClassColor(3)[2]);  // LA blue
  EXPECT_EQ(ClassColors()[0], cv::Vec3b(0, 0, 0));
}

TEST(SideBySide, ScalesRightToLeftHeight) {
  const cv::Mat left(40, 30, CV_8UC1, cv::Scalar(10));
  const cv::Mat right(20, 20, CV_8UC3, cv::Scalar(1, 2, 3));
  const cv::Mat out = SideBySide(left, right);
  EXPECT_EQ(out.size(), cv::Size(70, 40));
  EXPECT_EQ(out.at<cv::Vec3b>(39, 69), cv::Vec3b(1, 2, 3));
}

TEST(DrawLegend, WritesColouredText) {
  cv::Mat bgr(200, 300, CV_8UC3, cv::Scalar(0, 0, 0));
  DrawLegend(&bgr);
  DrawCaption(&bgr, "frame 3 ED");
  EXPECT_GT(cv::countNonZero(bgr.reshape(1)), 100);
}

}  // namespace
}  // namespace botm::image
