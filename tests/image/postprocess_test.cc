#include "core/image/postprocess.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace botm::image {
namespace {

TEST(CleanupLabels, RemovesStrayIsland) {
  cv::Mat m(20, 20, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(2, 2, 8, 8)).setTo(1);
  m(cv::Rect(15, 15, 2, 2)).setTo(1);  // island outside: becomes background
  const cv::Mat out = CleanupLabels(m);
  EXPECT_EQ(out.at<uint8_t>(15, 15), 0);
  EXPECT_EQ(cv::countNonZero(out == 1), 64);
}

TEST(CleanupLabels, FillsHoleWithSurroundingClass) {
  cv::Mat m(20, 20, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(2, 2, 10, 10)).setTo(1);
  m(cv::Rect(5, 5, 3, 2)).setTo(0);  // hole in the cavity
  m(cv::Rect(9, 9, 1, 1)).setTo(3);  // island of LA inside the cavity, LA elsewhere larger
  m(cv::Rect(14, 14, 4, 4)).setTo(3);
  const cv::Mat out = CleanupLabels(m);
  EXPECT_EQ(cv::countNonZero(out == 1), 100);
  EXPECT_EQ(cv::countNonZero(out == 3), 16);
}

TEST(CleanupLabels, KeepsCavityInsideMyocardium) {
  cv::Mat m(30, 30, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(5, 5, 20, 20)).setTo(2);
  m(cv::Rect(8, 8, 14, 14)).setTo(1);
  m(cv::Rect(12, 12, 2, 2)).setTo(0);  // hole surrounded by cavity only
  const cv::Mat out = CleanupLabels(m);
  EXPECT_EQ(cv::countNonZero(out == 1), 14 * 14);
  EXPECT_EQ(cv::countNonZero(out == 2), 400 - 196);
}

TEST(CleanupLabels, LeavesOpenBackgroundAlone) {
  cv::Mat m(30, 30, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(5, 5, 10, 12)).setTo(1);
  m(cv::Rect(8, 5, 4, 9)).setTo(0);  // a notch open upwards, inside the image
  m(cv::Rect(20, 0, 8, 10)).setTo(3);
  m(cv::Rect(22, 0, 4, 6)).setTo(0);  // a notch open to the image's top edge
  EXPECT_EQ(cv::norm(CleanupLabels(m), m, cv::NORM_INF), 0);
  m.at<uint8_t>(5, 9) = 1;  // closes the first notch (diagonal gaps stay open: 4-connected)
  m(cv::Rect(8, 5, 4, 1)).setTo(1);
  const cv::Mat out = CleanupLabels(m);
  EXPECT_EQ(cv::countNonZero(out == 1), 120);
  EXPECT_EQ(cv::countNonZero(out == 3), 80 - 24);
}

TEST(CleanupLabels, OptionsOffLeaveMaskUnchanged) {
  cv::Mat m(10, 10, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(1, 1, 5, 5)).setTo(1);
  m.at<uint8_t>(3, 3) = 0;
  m.at<uint8_t>(8, 8) = 1;
  CleanupOptions off;
  off.largest_component = false;
  off.fill_holes = false;
  EXPECT_EQ(cv::norm(CleanupLabels(m, off), m, cv::NORM_INF), 0);
  EXPECT_TRUE(CleanupLabels(cv::Mat()).empty());
}

TEST(ClassContours, RectangleIsFourCorners) {
  cv::Mat m(20, 20, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(3, 4, 6, 5)).setTo(2);
  m(cv::Rect(14, 14, 2, 2)).setTo(2);
  const auto contours = ClassContours(m, 2);
  ASSERT_EQ(contours.size(), 2u);
  ASSERT_EQ(contours[0].size(), 4u);  // the larger one first
  const cv::Rect box = cv::boundingRect(contours[0]);
  EXPECT_EQ(box, cv::Rect(3, 4, 6, 5));
  EXPECT_TRUE(ClassContours(m, 1).empty());
}

TEST(ClassContours, CircleIsSimplifiedWithinOnePixel) {
  cv::Mat m(100, 100, CV_8UC1, cv::Scalar(0));
  cv::circle(m, cv::Point(50, 50), 30, cv::Scalar(1), cv::FILLED);
  const auto contours = ClassContours(m, 1);
  ASSERT_EQ(contours.size(), 1u);
  EXPECT_LT(contours[0].size(), 60u);
  EXPECT_GT(contours[0].size(), 8u);
  for (const cv::Point& p : contours[0]) {
    EXPECT_NEAR(cv::norm(p - cv::Point(50, 50)), 30.0, 1.5);
  }
}

TEST(CountLabels, CountsEachClass) {
  cv::Mat m = (cv::Mat_<uint8_t>(2, 4) << 0, 1, 1, 2, 3, 3, 3, 9);
  const auto counts = CountLabels(m);
  EXPECT_EQ(counts[0], 1);
  EXPECT_EQ(counts[1], 2);
  EXPECT_EQ(counts[2], 1);
  EXPECT_EQ(counts[3], 3);
}

TEST(ClassName, Names) {
  EXPECT_STREQ(ClassName(1), "lv_cavity");
  EXPECT_STREQ(ClassName(3), "left_atrium");
  EXPECT_STREQ(ClassName(7), "unknown");
}

}  // namespace
}  // namespace botm::image
