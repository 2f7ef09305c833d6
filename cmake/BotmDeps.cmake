# Finds the third-party libraries (all from Debian 12 packages, see scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(Torch REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
# The frame decoders use libpng and libjpeg directly (their warnings must not reach stderr).
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
if(BOTM_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()

if(TORCH_CUDA_LIBRARIES OR CUDA_FOUND)
  set(BOTM_HAVE_CUDA_TORCH ON)
else()
  set(BOTM_HAVE_CUDA_TORCH OFF)
endif()
message(STATUS "botm: LibTorch ${Torch_VERSION}, CUDA-enabled: ${BOTM_HAVE_CUDA_TORCH}")

# OpenCV: Debian splits it into component packages; the full libopencv-dev (with its CMake
# config) costs +370 MB, so imported targets are made over the component libraries instead.
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs videoio)
if(OpenCV_FOUND)
  add_library(botm_opencv INTERFACE)
  target_link_libraries(botm_opencv INTERFACE ${OpenCV_LIBS})
  target_include_directories(botm_opencv SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
else()
  add_library(botm_opencv INTERFACE)
  foreach(comp core imgproc imgcodecs videoio)
    find_library(BOTM_OPENCV_${comp} NAMES opencv_${comp} REQUIRED)
    target_link_libraries(botm_opencv INTERFACE ${BOTM_OPENCV_${comp}})
  endforeach()
  target_include_directories(botm_opencv SYSTEM INTERFACE
    /usr/include/opencv4 /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/opencv4)
endif()
add_library(botm::opencv ALIAS botm_opencv)

# Torch as a SYSTEM include so its headers' warnings do not fail -Werror builds.
add_library(botm_torch INTERFACE)
target_link_libraries(botm_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(botm_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
target_compile_options(botm_torch INTERFACE ${TORCH_CXX_FLAGS})
add_library(botm::torch ALIAS botm_torch)
