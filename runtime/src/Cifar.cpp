//===- Cifar.cpp - CIFAR-10's binary version ------------------------------===//
//
// "CIFAR-10 binary version": records of 3,073 bytes, a label byte 0..9 then
// the 32x32 image as 1,024 red, 1,024 green and 1,024 blue bytes (each
// plane row-major). data_batch_1.bin .. data_batch_5.bin hold 10,000
// records each, test_batch.bin 10,000; being fixed-size, batches join with
// cat. Images come out channels-last, (n, 32, 32, 3), as Keras'
// cifar10.load_data() gives them; labels as (n,).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

namespace {
constexpr int64_t kSide = 32, kPlane = kSide * kSide, kRecord = 1 + 3 * kPlane;
} // namespace

extern "C" nnrt_tensor *nnrt_read_cifar10(const char *path,
                                          nnrt_tensor **labels,
                                          nnrt_status *status) {
  std::string bytes, error;
  if (!nnrt::readFile(path, bytes, error))
    return nnrt::failNull<nnrt_tensor>(status, error);
  std::string file(path);
  int64_t size = static_cast<int64_t>(bytes.size());
  if (size == 0 || size % kRecord != 0)
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": " + std::to_string(size) +
                    " bytes is not a whole number of CIFAR-10 records (" +
                    std::to_string(kRecord) + " bytes each: a label, then "
                    "32x32 red, green and blue)");
  int64_t n = size / kRecord;
  auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
  for (int64_t r = 0; r < n; ++r)
    if (data[r * kRecord] > 9)
      return nnrt::failNull<nnrt_tensor>(
          status, file + ": record " + std::to_string(r) + " has label " +
                      std::to_string(data[r * kRecord]) +
                      "; CIFAR-10 labels are 0..9 (is this CIFAR-100?)");
  nnrt_tensor *images = nnrt::makeTensor({n, kSide, kSide, 3});
  nnrt_tensor *y = nnrt::makeTensor({n});
  for (int64_t r = 0; r < n; ++r) {
    const unsigned char *rec = data + r * kRecord;
    y->data[r] = rec[0];
    float *out = images->data.data() + r * 3 * kPlane;
    for (int64_t p = 0; p < kPlane; ++p)
      for (int64_t c = 0; c < 3; ++c)
        out[p * 3 + c] = rec[1 + c * kPlane + p];
  }
  if (labels)
    *labels = y;
  else
    delete y;
  return images;
}
