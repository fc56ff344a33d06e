/* Times one compiled model: step-time MODEL.so BATCH train|predict [BLOCKS]
 * Random inputs and one-hot targets; the trainer's step (or the model's
 * forward pass) runs in BLOCKS blocks of ~0.2 s after a warm-up block, and
 * the mean time per call of each block is printed in microseconds, one per
 * line (as benchmarks/peers.py does). Built and run by
 * benchmarks/step-time.py. */
#include "nnrt.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static void fail(nnrt_status *st) {
  fprintf(stderr, "step-time: %s\n", nnrt_status_message(st));
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: step-time MODEL.so BATCH train|predict [REPEATS]\n");
    return 2;
  }
  int64_t batch = atoll(argv[2]);
  int train = strcmp(argv[3], "train") == 0;
  int repeats = argc > 4 ? atoi(argv[4]) : 7;
  nnrt_status *st = nnrt_status_new();
  nnrt_model *m = nnrt_model_open_shared(argv[1], st);
  if (!m || nnrt_model_init_params(m, 1, st) != 0)
    fail(st);
  int64_t in = nnrt_model_input_features(m, 0), out = nnrt_model_target_features(m);
  /* The input's own shape (an image model takes (batch, h, w, c)). */
  int64_t xs[8] = {batch}, ys[2] = {batch, out};
  size_t rank = nnrt_model_input_rank(m, 0);
  for (size_t d = 1; d < rank && d < 8; ++d)
    xs[d] = nnrt_model_input_dim(m, 0, d);
  /* A physics-informed model reads no targets (out < 0): y stays NULL. */
  nnrt_tensor *x = nnrt_tensor_new(rank, xs, st);
  nnrt_tensor *y = out > 0 ? nnrt_tensor_new(2, ys, st) : NULL;
  if (!x || (out > 0 && !y))
    fail(st);
  srand(1);
  for (int64_t i = 0; i < batch * in; ++i)
    nnrt_tensor_data(x)[i] = (float)rand() / RAND_MAX;
  for (int64_t i = 0; y && i < batch; ++i)
    nnrt_tensor_data(y)[i * out + i % out] = 1;
  nnrt_trainer *t = train ? nnrt_trainer_new(m, st) : NULL;
  if (train && !t)
    fail(st);
  float loss, metrics[16];
  /* Calls per block: about 0.2 s worth, measured on a first block. */
  int calls = 1;
  double *times = malloc(sizeof(double) * repeats);
  for (int r = -1; r < repeats; ++r) {
    double t0 = now();
    for (int c = 0; c < calls; ++c) {
      if (train) {
        if (nnrt_trainer_step(t, x, y, 1e-6f, &loss, metrics, st) != 0)
          fail(st);
      } else {
        const nnrt_tensor *xs1[1] = {x};
        nnrt_tensor *p = nnrt_model_predict(m, xs1, 1, st);
        if (!p)
          fail(st);
        nnrt_tensor_free(p);
      }
    }
    double dt = (now() - t0) / calls;
    if (r < 0)
      calls = dt > 0.2 ? 1 : (int)(0.2 / dt) + 1;
    else
      times[r] = dt;
  }
  for (int r = 0; r < repeats; ++r)
    printf("%.3f\n", times[r] * 1e6);
  return 0;
}
