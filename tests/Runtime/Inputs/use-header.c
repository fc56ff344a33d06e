/* Links an `nnc -c` object into a user's C program through the generated
 * header and the runtime: the tfcompile-style use of a model. */
#include "iris.h"
#include "nnrt.h"

#include <stdio.h>

int main(void) {
  nnrt_status *st = nnrt_status_new();
  nnrt_model *m = nnrt_model_open_linked(&nnc_artifact_iris, st);
  if (!m || nnrt_model_init_params(m, 1, st)) {
    fprintf(stderr, "%s\n", nnrt_status_message(st));
    return 1;
  }
  /* Call the entry point directly, buffers in header order. */
  float x[2 * 4] = {5.1f, 3.5f, 1.4f, 0.2f, 6.3f, 3.3f, 6.0f, 2.5f};
  float y[2 * 3];
  void *buffers[1 + 4 + 1];
  buffers[0] = x;
  for (size_t i = 0; i < nnrt_model_num_params(m); ++i)
    buffers[1 + i] = nnrt_tensor_data(nnrt_model_param(m, i));
  buffers[5] = y;
  nnc_iris_infer(2, buffers);
  for (int i = 0; i < 2; ++i)
    printf("row %d sums to %.5f\n", i, y[3 * i] + y[3 * i + 1] + y[3 * i + 2]);
  nnrt_model_free(m);
  nnrt_status_free(st);
  return 0;
}
