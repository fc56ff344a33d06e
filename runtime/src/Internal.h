//===- Internal.h - the runtime's handle types ----------------------------===//

#ifndef NNRT_SRC_INTERNAL_H
#define NNRT_SRC_INTERNAL_H

#include "nnrt.h"

#include <string>
#include <vector>

struct nnrt_status {
  bool ok = true;
  std::string message;
};

struct nnrt_tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  /// Set for sequences of different lengths (a NumPy array of lists, as in
  /// Keras' imdb.npz): the tensor holds them as (n, longest), each row
  /// padded after its end with 0, and rowLengths[i] is row i's own length.
  /// shapeToSample pads or truncates them to the model's steps.
  std::vector<int64_t> rowLengths;
};

namespace nnrt {

/// Records a failure in `status` (if any) and returns -1.
int fail(nnrt_status *status, const std::string &message);
/// Same, for calls that return a handle.
template <typename T> T *failNull(nnrt_status *status, const std::string &m) {
  fail(status, m);
  return nullptr;
}

/// Elements one sample, parameter or data file may have: 2^32, 16 GiB of
/// f32. Larger shapes in a manifest or a file are corrupt, not allocated.
constexpr int64_t kMaxElements = int64_t(1) << 32;

/// "(None, 4)" for {-1, 4}, as Keras prints shapes.
std::string formatShape(const std::vector<int64_t> &shape);

/// A tensor of `shape` (no -1 allowed), zero-filled.
nnrt_tensor *makeTensor(const std::vector<int64_t> &shape);

/// nnrt_read_csv, also telling the file line of every row (for messages
/// about a row's values, such as a label out of range) and the header
/// line's fields (empty without one).
nnrt_tensor *readCsv(const char *path, int64_t expectedColumns,
                     std::vector<int64_t> *lineOfRow, nnrt_status *status,
                     std::vector<std::string> *header = nullptr);

/// The columns `selection` names of a CSV table: comma-separated 0-based
/// indices, inclusive ranges "a-b", or names from the header line
/// ("0-3", "4", "sepal_length,petal_width"). Replaces `table`; false and a
/// message naming `file` otherwise.
bool selectColumns(nnrt_tensor *&table, const std::string &selection,
                   const std::vector<std::string> &header,
                   const std::string &file, std::string &error);

/// An array from a file of any format the runtime reads, told apart by
/// content: .npy, .npz (the array "d.npz:name" names, else `arrayName`),
/// IDX (plain or gzip), CIFAR-10 batches (the labels when `arrayName` is
/// "y", else the images), else CSV (whose file lines of rows go to
/// `csvLines`; "d.csv:0-3" selects columns, see selectColumns).
nnrt_tensor *readArray(const char *spec, const char *arrayName,
                       std::vector<int64_t> *csvLines, nnrt_status *status);

/// A CIFAR-10 binary batch: a .bin file of whole 3,073-byte records.
bool isCifar10(const std::string &path);

/// Where sequences longer or shorter than the model's steps lose or gain
/// their tokens: Keras' pad_sequences(padding, truncating), both "pre" by
/// default (the sequence's end kept, zeros before its start).
struct SequenceFit {
  bool padAfter = false;      // padding: "post"
  bool truncateAfter = false; // truncating: "post"
  /// --num-words N: the ids keras.datasets.imdb.load_data(num_words=N)
  /// makes of the stored frequency ranks (0: the ranks as stored).
  int64_t numWords = 0;
};

/// What an array is, for messages: "x.npy: inputs of shape (None, 64) (1437
/// samples), but model 'digits' takes input 'x' of shape (None, 8, 8)".
struct ArrayDescription {
  std::string file, noun, model, role, name;
  bool fromCsv = false;
  SequenceFit fit = {};
};

/// Checks that `t` holds samples of shape `sample` (a CSV row, a flattened
/// sample, is reshaped); false and a message otherwise.
bool shapeToSample(nnrt_tensor *t, const std::vector<int64_t> &sample,
                   const ArrayDescription &what, std::string &error);

/// Every value of `y` (one per sample) a class index 0..classes-1; false
/// and a message naming the row (CSV: its line) otherwise.
bool checkClassIndices(const nnrt_tensor &y, int64_t classes,
                       const ArrayDescription &what,
                       const std::vector<int64_t> &csvLines,
                       std::string &error);

/// Class indices (one per sample: shape (n,) or (n, 1)) to one-hot rows of
/// `classes`; false without a message when `y` is not one label per sample,
/// false with one when a label is not an index 0..classes-1.
bool labelsToOneHot(nnrt_tensor *&y, int64_t classes,
                    const ArrayDescription &what,
                    const std::vector<int64_t> &csvLines, std::string &error);

/// A .npy array from its bytes; `file` names it in messages ("d.npz:x.npy"
/// for an array of an archive).
nnrt_tensor *parseNpy(const std::string &bytes, const std::string &file,
                      nnrt_status *status);

/// Reads a whole file; false and a message on failure.
bool readFile(const std::string &path, std::string &out, std::string &error);

/// Writes `bytes` to `path` through a temporary file and a rename, so that
/// a crash never leaves a half-written file behind.
bool writeFileAtomically(const std::string &path, const std::string &bytes,
                         std::string &error);

} // namespace nnrt

#endif // NNRT_SRC_INTERNAL_H
