#include "core/train/volume_io.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace botm::train {
namespace {

absl::StatusOr<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads a whole file through zlib's gz layer, which passes uncompressed files through as is.
absl::StatusOr<std::string> ReadMaybeGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string out;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  const bool failed = n < 0;
  gzclose(f);
  if (failed) return absl::InvalidArgumentError(absl::StrCat("corrupt gzip data in ", path));
  return out;
}

absl::StatusOr<std::string> Inflate(const std::string& in, size_t expected) {
  std::string out(expected, '\0');
  uLongf len = static_cast<uLongf>(expected);
  const int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &len,
                            reinterpret_cast<const Bytef*>(in.data()), in.size());
  if (rc != Z_OK || len != expected) {
    return absl::InvalidArgumentError("CompressedData: zlib stream does not inflate to the size");
  }
  return out;
}

template <typename T>
void Convert(const char* src, size_t n, bool swap, float slope, float inter, float* dst) {
  for (size_t i = 0; i < n; ++i) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, src + i * sizeof(T), sizeof(T));
    if (swap) std::reverse(b, b + sizeof(T));
    T v;
    std::memcpy(&v, b, sizeof(T));
    dst[i] = static_cast<float>(v) * slope + inter;
  }
}

// Element kinds shared by both readers.
enum class Kind { kU8, kI8, kI16, kU16, kI32, kU32, kF32, kF64, kNone };

size_t KindSize(Kind k) {
  switch (k) {
    case Kind::kU8:
    case Kind::kI8:
      return 1;
    case Kind::kI16:
    case Kind::kU16:
      return 2;
    case Kind::kI32:
    case Kind::kU32:
    case Kind::kF32:
      return 4;
    case Kind::kF64:
      return 8;
    default:
      return 0;
  }
}

absl::Status Decode(const std::string& bytes, size_t offset, Kind kind, bool swap, float slope,
                    float inter, Volume* v) {
  const size_t n = static_cast<size_t>(v->nx) * v->ny * v->nz;
  const size_t need = n * KindSize(kind);
  if (offset > bytes.size() || bytes.size() - offset < need) {
    return absl::InvalidArgumentError(absl::StrCat("truncated data: need ", need, " bytes, have ",
                                                   bytes.size() - std::min(offset, bytes.size())));
  }
  v->data.resize(n);
  const char* p = bytes.data() + offset;
  float* d = v->data.data();
  switch (kind) {
    case Kind::kU8:
      Convert<uint8_t>(p, n, swap, slope, inter, d);
      break;
    case Kind::kI8:
      Convert<int8_t>(p, n, swap, slope, inter, d);
      break;
    case Kind::kI16:
      Convert<int16_t>(p, n, swap, slope, inter, d);
      break;
    case Kind::kU16:
      Convert<uint16_t>(p, n, swap, slope, inter, d);
      break;
    case Kind::kI32:
      Convert<int32_t>(p, n, swap, slope, inter, d);
      break;
    case Kind::kU32:
      Convert<uint32_t>(p, n, swap, slope, inter, d);
      break;
    case Kind::kF32:
      Convert<float>(p, n, swap, slope, inter, d);
      break;
    case Kind::kF64:
      Convert<double>(p, n, swap, slope, inter, d);
      break;
    default:
      return absl::InvalidArgumentError("unsupported element type");
  }
  return absl::OkStatus();
}

Kind MetaKind(const std::string& t) {
  static const std::map<std::string, Kind> kMap = {
      {"MET_UCHAR", Kind::kU8},   {"MET_CHAR", Kind::kI8},   {"MET_SHORT", Kind::kI16},
      {"MET_USHORT", Kind::kU16}, {"MET_INT", Kind::kI32},   {"MET_UINT", Kind::kU32},
      {"MET_FLOAT", Kind::kF32},  {"MET_DOUBLE", Kind::kF64}};
  auto it = kMap.find(t);
  return it == kMap.end() ? Kind::kNone : it->second;
}

bool IsTrue(const std::string& s) {
  const std::string l = absl::AsciiStrToLower(s);
  return l == "true" || l == "1";
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Parses "key = value" lines up to ElementDataFile; *header_end gets the byte after that line.
absl::StatusOr<std::map<std::string, std::string>> ParseMetaHeader(const std::string& text,
                                                                   size_t* header_end) {
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    kv[key] = std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (key == "ElementDataFile") break;
  }
  *header_end = std::min(pos, text.size());
  if (!kv.count("ElementDataFile"))
    return absl::InvalidArgumentError("MetaImage: no ElementDataFile");
  return kv;
}

template <typename T>
absl::StatusOr<std::vector<T>> ParseList(const std::string& field, const std::string& value) {
  std::vector<T> out;
  for (absl::string_view tok : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
    double d = 0;
    if (!absl::SimpleAtod(tok, &d))
      return absl::InvalidArgumentError(absl::StrCat("MetaImage: bad ", field));
    out.push_back(static_cast<T>(d));
  }
  return out;
}

absl::Status SetDims(const std::vector<int>& dims, const std::vector<double>& sp, Volume* v) {
  if (dims.size() < 2 || dims.size() > 3)
    return absl::InvalidArgumentError("NDims/DimSize: need 2 or 3 dims");
  for (int d : dims) {
    if (d <= 0 || d > 65535) return absl::InvalidArgumentError("DimSize: out of range");
  }
  v->nx = dims[0];
  v->ny = dims[1];
  v->nz = dims.size() > 2 ? dims[2] : 1;
  if (sp.size() >= 2) {
    v->spacing_x_mm = sp[0];
    v->spacing_y_mm = sp[1];
    if (sp.size() > 2) v->spacing_z = sp[2];
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Volume> ReadMetaImage(const std::string& path) {
  absl::StatusOr<std::string> text = ReadBytes(path);
  if (!text.ok()) return text.status();
  size_t header_end = 0;
  auto kv = ParseMetaHeader(*text, &header_end);
  if (!kv.ok()) return kv.status();
  auto dims = ParseList<int>("DimSize", (*kv)["DimSize"]);
  if (!dims.ok()) return dims.status();
  std::string sp_text =
      kv->count("ElementSpacing") ? (*kv)["ElementSpacing"] : (*kv)["ElementSize"];
  auto sp = ParseList<double>("ElementSpacing", sp_text);
  if (!sp.ok()) return sp.status();
  Volume v;
  if (absl::Status s = SetDims(*dims, *sp, &v); !s.ok()) return s;
  const Kind kind = MetaKind((*kv)["ElementType"]);
  if (kind == Kind::kNone)
    return absl::InvalidArgumentError(
        absl::StrCat("ElementType: unsupported '", (*kv)["ElementType"], "'"));
  const bool msb = IsTrue((*kv)["BinaryDataByteOrderMSB"]) || IsTrue((*kv)["ElementByteOrderMSB"]);
  std::string data;
  if ((*kv)["ElementDataFile"] == "LOCAL") {
    data = text->substr(header_end);
  } else {
    absl::StatusOr<std::string> raw = ReadBytes(Dirname(path) + "/" + (*kv)["ElementDataFile"]);
    if (!raw.ok()) return raw.status();
    data = std::move(*raw);
  }
  const size_t need = static_cast<size_t>(v.nx) * v.ny * v.nz * KindSize(kind);
  if (IsTrue((*kv)["CompressedData"])) {
    absl::StatusOr<std::string> inflated = Inflate(data, need);
    if (!inflated.ok()) return inflated.status();
    data = std::move(*inflated);
  }
  if (absl::Status s = Decode(data, 0, kind, msb, 1.f, 0.f, &v); !s.ok()) return s;
  return v;
}

namespace {

template <typename T>
T ReadAt(const std::string& b, size_t off, bool swap) {
  unsigned char tmp[sizeof(T)];
  std::memcpy(tmp, b.data() + off, sizeof(T));
  if (swap) std::reverse(tmp, tmp + sizeof(T));
  T v;
  std::memcpy(&v, tmp, sizeof(T));
  return v;
}

Kind NiftiKind(int datatype) {
  switch (datatype) {
    case 2:
      return Kind::kU8;
    case 4:
      return Kind::kI16;
    case 8:
      return Kind::kI32;
    case 16:
      return Kind::kF32;
    case 64:
      return Kind::kF64;
    case 256:
      return Kind::kI8;
    case 512:
      return Kind::kU16;
    case 768:
      return Kind::kU32;
    default:
      return Kind::kNone;
  }
}

}  // namespace

absl::StatusOr<Volume> ReadNifti(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadMaybeGzip(path);
  if (!bytes.ok()) return bytes.status();
  const std::string& b = *bytes;
  if (b.size() < 352)
    return absl::InvalidArgumentError(absl::StrCat(path, ": shorter than a NIfTI-1 header"));
  bool swap = false;
  if (ReadAt<int32_t>(b, 0, false) != 348) {
    if (ReadAt<int32_t>(b, 0, true) != 348)
      return absl::InvalidArgumentError("sizeof_hdr: not 348");
    swap = true;
  }
  if (std::memcmp(b.data() + 344, "n+1", 4) != 0) {
    return absl::InvalidArgumentError("magic: not a single-file NIfTI-1 ('n+1')");
  }
  const int ndim = ReadAt<int16_t>(b, 40, swap);
  if (ndim < 2 || ndim > 4)
    return absl::InvalidArgumentError(absl::StrCat("dim[0]: ", ndim, " not in 2..4"));
  std::vector<int> dims;
  std::vector<double> spacing;
  for (int i = 1; i <= ndim; ++i) {
    dims.push_back(ReadAt<int16_t>(b, 40 + 2 * i, swap));
    spacing.push_back(std::fabs(ReadAt<float>(b, 76 + 4 * i, swap)));
  }
  if (ndim == 4) {
    if (dims[3] != 1) return absl::InvalidArgumentError("dim[4]: 4D volumes are not supported");
    dims.pop_back();
    spacing.pop_back();
  }
  Volume v;
  if (absl::Status s = SetDims(dims, spacing, &v); !s.ok()) return s;
  const int datatype = ReadAt<int16_t>(b, 70, swap);
  const Kind kind = NiftiKind(datatype);
  if (kind == Kind::kNone)
    return absl::InvalidArgumentError(absl::StrCat("datatype: unsupported ", datatype));
  const float vox_offset = ReadAt<float>(b, 108, swap);
  float slope = ReadAt<float>(b, 112, swap);
  float inter = ReadAt<float>(b, 116, swap);
  if (!std::isfinite(slope) || slope == 0.f) {
    slope = 1.f;
    inter = 0.f;
  }
  if (!std::isfinite(inter)) inter = 0.f;
  const size_t offset = std::max<size_t>(352, static_cast<size_t>(vox_offset));
  if (absl::Status s = Decode(b, offset, kind, swap, slope, inter, &v); !s.ok()) return s;
  return v;
}

absl::StatusOr<Volume> ReadVolume(const std::string& path) {
  if (absl::EndsWith(path, ".mhd") || absl::EndsWith(path, ".mha")) return ReadMetaImage(path);
  if (absl::EndsWith(path, ".nii") || absl::EndsWith(path, ".nii.gz")) return ReadNifti(path);
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": unknown extension (want .mhd, .mha, .nii, .nii.gz)"));
}

cv::Mat SliceToGray8(const Volume& v, int z, float lo, float hi) {
  const size_t plane = static_cast<size_t>(v.nx) * v.ny;
  const float* p = v.data.data() + plane * static_cast<size_t>(z);
  if (lo == hi) {
    const auto [mn, mx] = std::minmax_element(p, p + plane);
    lo = *mn;
    hi = *mx > *mn ? *mx : *mn + 1.f;
  }
  cv::Mat out(v.ny, v.nx, CV_8UC1);
  const float scale = 255.f / (hi - lo);
  for (size_t i = 0; i < plane; ++i) {
    const float s = std::round((p[i] - lo) * scale);
    out.data[i] = static_cast<uint8_t>(std::clamp(s, 0.f, 255.f));
  }
  return out;
}

cv::Mat SliceToLabels(const Volume& v, int z) { return SliceToGray8(v, z, 0.f, 255.f); }

}  // namespace botm::train
