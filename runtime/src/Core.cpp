//===- Core.cpp - statuses, tensors and file helpers ----------------------===//

#include "Internal.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

using namespace nnrt;

int nnrt::fail(nnrt_status *status, const std::string &message) {
  if (status) {
    status->ok = false;
    status->message = message;
  }
  return -1;
}

std::string nnrt::formatShape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i] < 0 ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

nnrt_tensor *nnrt::makeTensor(const std::vector<int64_t> &shape) {
  auto *t = new nnrt_tensor;
  t->shape = shape;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  t->data.assign(static_cast<size_t>(n), 0.0f);
  return t;
}

bool nnrt::readFile(const std::string &path, std::string &out,
                    std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  out.clear();
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    out.append(buf, n);
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

/// Removes `<path>.tmp.<pid>` files that a writer killed mid-write left
/// behind: only those whose process no longer exists (another process may
/// be writing its own right now), and only names of exactly that form.
static void removeStaleTemporaries(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string prefix =
      (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR *d = opendir(dir.c_str());
  if (!d)
    return;
  while (dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix))
      continue;
    std::string pid = name.substr(prefix.size());
    if (pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos)
      continue;
    pid_t p = static_cast<pid_t>(std::atol(pid.c_str()));
    if (p > 0 && p != getpid() && kill(p, 0) != 0 && errno == ESRCH)
      unlink((dir + "/" + name).c_str());
  }
  closedir(d);
}

bool nnrt::writeFileAtomically(const std::string &path,
                               const std::string &bytes, std::string &error) {
  removeStaleTemporaries(path);
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = (std::fflush(f) == 0) && ok;
  ok = (fsync(fileno(f)) == 0) && ok;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

extern "C" {

nnrt_status *nnrt_status_new(void) { return new nnrt_status; }
void nnrt_status_free(nnrt_status *s) { delete s; }
int nnrt_status_ok(const nnrt_status *s) { return !s || s->ok; }
const char *nnrt_status_message(const nnrt_status *s) {
  return s ? s->message.c_str() : "";
}
void nnrt_status_clear(nnrt_status *s) {
  if (s)
    *s = nnrt_status();
}

nnrt_tensor *nnrt_tensor_new(size_t rank, const int64_t *shape,
                             nnrt_status *status) {
  std::vector<int64_t> dims(shape, shape + rank);
  for (int64_t d : dims)
    if (d < 0)
      return failNull<nnrt_tensor>(status, "tensor dimensions must be >= 0, got " +
                                               formatShape(dims));
  return makeTensor(dims);
}
void nnrt_tensor_free(nnrt_tensor *t) { delete t; }
size_t nnrt_tensor_rank(const nnrt_tensor *t) { return t->shape.size(); }
int64_t nnrt_tensor_dim(const nnrt_tensor *t, size_t i) { return t->shape[i]; }
int64_t nnrt_tensor_size(const nnrt_tensor *t) {
  return static_cast<int64_t>(t->data.size());
}
float *nnrt_tensor_data(nnrt_tensor *t) { return t->data.data(); }
const float *nnrt_tensor_cdata(const nnrt_tensor *t) { return t->data.data(); }

} // extern "C"
