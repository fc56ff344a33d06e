/*===- nnrt.h - the nnc runtime: load, initialise and run compiled models -===*
 *
 * One public header, a C API. Conventions:
 *  - Every object is an opaque handle created by a *_new/_open/_read call and
 *    released by the matching *_free (NULL is accepted and ignored).
 *  - Every call that can fail takes an `nnrt_status *` as its last argument,
 *    returns 0 / a handle on success and -1 / NULL on failure, and then
 *    leaves a message for the user in the status (file names, line numbers,
 *    both shapes of a mismatch). Passing a NULL status is allowed.
 *  - No global state, no errno: two models in one process are independent.
 *  - Tensors are dense, row-major float32.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NNRT_H
#define NNRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*--- The artifact ABI (what nnc emits; see docs/artifacts.md) -------------*/

#define NNRT_ABI_VERSION 1

/* buffers[]: one data pointer per input, parameter and output, in manifest
 * order; every -1 dimension of the manifest is `batch`. A buffer the call
 * writes (parameter, state, output) overlaps no other buffer of the call:
 * the compiled kernels assume it (docs/artifacts.md). */
typedef void (*nnrt_entry_fn)(int64_t batch, void **buffers);

struct nnc_artifact {
  uint32_t abi_version;            /* NNRT_ABI_VERSION */
  const char *manifest;            /* JSON, NUL-terminated */
  uint32_t num_entries;
  const char *const *entry_names;  /* "<model>.<kind>", e.g. "iris.infer" */
  const nnrt_entry_fn *entries;
};

/*--- Status -----------------------------------------------------------------*/

typedef struct nnrt_status nnrt_status;
nnrt_status *nnrt_status_new(void);
void nnrt_status_free(nnrt_status *status);
int nnrt_status_ok(const nnrt_status *status);
/* The message of the last failure ("" when ok); valid until the next call
 * that uses this status. */
const char *nnrt_status_message(const nnrt_status *status);
void nnrt_status_clear(nnrt_status *status);

/*--- Tensors ----------------------------------------------------------------*/

typedef struct nnrt_tensor nnrt_tensor;
/* A zero-filled tensor. */
nnrt_tensor *nnrt_tensor_new(size_t rank, const int64_t *shape,
                             nnrt_status *status);
void nnrt_tensor_free(nnrt_tensor *tensor);
size_t nnrt_tensor_rank(const nnrt_tensor *tensor);
int64_t nnrt_tensor_dim(const nnrt_tensor *tensor, size_t i);
int64_t nnrt_tensor_size(const nnrt_tensor *tensor); /* number of elements */
float *nnrt_tensor_data(nnrt_tensor *tensor);
const float *nnrt_tensor_cdata(const nnrt_tensor *tensor);

/*--- Data files -------------------------------------------------------------*/

/* A 2-D tensor from a CSV file of numbers. A first line that is not all
 * numbers is a header and skipped. Every row must have the same number of
 * columns (`expected_columns`, or the first row's when it is -1); errors name
 * the file and line. */
nnrt_tensor *nnrt_read_csv(const char *path, int64_t expected_columns,
                           nnrt_status *status);
int nnrt_write_csv(const nnrt_tensor *tensor, const char *path,
                   nnrt_status *status);
/* A NumPy .npy file (versions 1-3, little-endian f4 or f8, C order). */
nnrt_tensor *nnrt_read_npy(const char *path, nnrt_status *status);
int nnrt_write_npy(const nnrt_tensor *tensor, const char *path,
                   nnrt_status *status);
/* IDX (the MNIST family's format; gzip-compressed files too): any element
 * type, as float32. */
nnrt_tensor *nnrt_read_idx(const char *path, nnrt_status *status);
/* One array of a NumPy .npz archive (np.savez or np.savez_compressed): the
 * one saved as `name` (member "<name>.npy"). */
nnrt_tensor *nnrt_read_npz(const char *path, const char *name,
                           nnrt_status *status);
/* CIFAR-10's binary version (data_batch_*.bin, test_batch.bin, or several
 * joined with cat): the images as (n, 32, 32, 3), channels last as Keras
 * loads them, and, when `labels` is not NULL, the labels as (n,). */
nnrt_tensor *nnrt_read_cifar10(const char *path, nnrt_tensor **labels,
                               nnrt_status *status);

/*--- Models -----------------------------------------------------------------*/

typedef struct nnrt_model nnrt_model;
/* A model linked into this program (nnc -c, or the generated executable). */
nnrt_model *nnrt_model_open_linked(const struct nnc_artifact *artifact,
                                   nnrt_status *status);
/* Model `name` of a linked artifact from a .nn file with several models
 * (name NULL: the first). */
nnrt_model *nnrt_model_open_linked_named(const struct nnc_artifact *artifact,
                                         const char *name,
                                         nnrt_status *status);
/* A model built with `nnc --shared`: the first of the file's models. */
nnrt_model *nnrt_model_open_shared(const char *path, nnrt_status *status);
/* Model `name` of a library built from a .nn file with several models
 * (name NULL: the first). */
nnrt_model *nnrt_model_open_shared_named(const char *path, const char *name,
                                         nnrt_status *status);
void nnrt_model_free(nnrt_model *model);

/* Threads the compiled kernels of every model use from now on (n <= 0: the
 * default, NNC_NUM_THREADS from the environment, else every CPU the process
 * may run on). Results are bitwise identical for any thread count
 * (docs/numerics.md). */
void nnrt_set_num_threads(int n);
int nnrt_num_threads(void);

const char *nnrt_model_name(const nnrt_model *model);
/* The artifact's manifest (JSON). */
const char *nnrt_model_manifest(const nnrt_model *model);
size_t nnrt_model_num_inputs(const nnrt_model *model);
/* Features per sample of input i (the product of its non-batch dims). */
int64_t nnrt_model_input_features(const nnrt_model *model, size_t i);
/* Input i's name in the .nn file ("x" in `model m(x: f32[4])`); NULL when
 * out of range. */
const char *nnrt_model_input_name(const nnrt_model *model, size_t i);
/* Input i's rank, the batch dimension included (2 for f32[4], 4 for an
 * image f32[28, 28, 1]); 0 when out of range. */
size_t nnrt_model_input_rank(const nnrt_model *model, size_t i);
/* Size d of input i's shape: -1 for the batch (d = 0) and out of range. */
int64_t nnrt_model_input_dim(const nnrt_model *model, size_t i, size_t d);
size_t nnrt_model_num_params(const nnrt_model *model);
const char *nnrt_model_param_name(const nnrt_model *model, size_t i);
/* The parameter's tensor, owned by the model. */
nnrt_tensor *nnrt_model_param(nnrt_model *model, size_t i);
int64_t nnrt_model_total_params(const nnrt_model *model);

/* Every parameter from its initializer (glorot_uniform, zeros, he_normal, ...
 * as Keras defines them), reproducibly from `seed`. */
int nnrt_model_init_params(nnrt_model *model, uint64_t seed,
                           nnrt_status *status);
/* Parameters from / to a safetensors file (F32 tensors named as in the
 * manifest, e.g. "dense.kernel"). Loading checks every name and shape. */
int nnrt_model_load_weights(nnrt_model *model, const char *path,
                            nnrt_status *status);
int nnrt_model_save_weights(const nnrt_model *model, const char *path,
                            nnrt_status *status);

size_t nnrt_model_num_outputs(const nnrt_model *model);
/* "output_0", ... as the manifest names them; NULL when out of range. */
const char *nnrt_model_output_name(const nnrt_model *model, size_t i);

/* Runs inference on a batch of any size: inputs[i] has shape
 * (batch, features...). On success stores one new tensor per output in
 * outputs[0 .. num_outputs) (the caller frees them) and returns 0. */
int nnrt_model_run(nnrt_model *model, const nnrt_tensor *const *inputs,
                   size_t num_inputs, nnrt_tensor **outputs,
                   size_t num_outputs, nnrt_status *status);

/* nnrt_model_run for the first output only (the others are discarded);
 * NULL on failure. */
nnrt_tensor *nnrt_model_predict(nnrt_model *model,
                                const nnrt_tensor *const *inputs,
                                size_t num_inputs, nnrt_status *status);

/* The model's functions: each `def` of its .nn file that takes the model's
 * inputs and applies it, such as a trial solution `def g(x) = 1 + x * u(x)`
 * of a physics-informed model. */
size_t nnrt_model_num_functions(const nnrt_model *model);
const char *nnrt_model_function_name(const nnrt_model *model, size_t i);
/* Evaluates function `name` on a batch, with the model's current
 * parameters; a new tensor (the caller frees it), or NULL on failure. */
nnrt_tensor *nnrt_model_predict_function(nnrt_model *model, const char *name,
                                         const nnrt_tensor *const *inputs,
                                         size_t num_inputs,
                                         nnrt_status *status);

/* The Keras-style summary table. */
void nnrt_model_print_summary(const nnrt_model *model, FILE *out);

/*--- Training ---------------------------------------------------------------*/
/* Available when the .nn file has a train section: the artifact then holds a
 * compiled train step (loss, gradients and the optimizer update in one
 * function) and an eval step. The runtime only feeds batches. */

int nnrt_model_can_train(const nnrt_model *model);
/* Width of a target row: the model output's features per sample; -1 when
 * the loss reads no targets (a physics-informed loss): then every call below
 * takes y == NULL and trains on inputs alone. */
int64_t nnrt_model_target_features(const nnrt_model *model);
/* Target arrays the loss reads: one per output ("y_true", or "y_true_0",
 * "y_true_1", ... for a model with several outputs), 0 for a loss that
 * reads none. */
size_t nnrt_model_num_targets(const nnrt_model *model);
const char *nnrt_model_target_name(const nnrt_model *model, size_t i);
size_t nnrt_model_num_metrics(const nnrt_model *model);
const char *nnrt_model_metric_name(const nnrt_model *model, size_t i);

typedef struct nnrt_fit_options {
  int64_t epochs;
  int64_t batch_size;
  double validation_split; /* taken from the end of the data, in [0, 1) */
  double learning_rate;
  uint64_t seed;           /* per-epoch shuffling */
  const char *checkpoint;  /* written (atomically) after every epoch, or NULL */
  FILE *log;               /* one line per epoch, or NULL */
  int progress;            /* also a per-batch progress bar on `log` (meant
                              for a terminal: redrawn with '\r'), Keras'
                              verbose=1; 0 (the default): epoch lines only */
  /* Keras' validation_data: arrays as the fit takes them (inputs, then
   * targets), evaluated after every epoch instead of a validation split;
   * validation_nx == 0 (the default): none. */
  const nnrt_tensor *const *validation_x;
  size_t validation_nx;
  const nnrt_tensor *const *validation_y;
  size_t validation_ny;
} nnrt_fit_options;
/* The train section's settings (Keras' defaults where it is silent). */
void nnrt_fit_options_init(const nnrt_model *model, nnrt_fit_options *opts);

typedef struct nnrt_history nnrt_history;
typedef struct nnrt_trainer nnrt_trainer;
/* A trainer owns the optimizer state (zeros) and the step and epoch
 * counters; it trains the model's parameters in place. */
nnrt_trainer *nnrt_trainer_new(nnrt_model *model, nnrt_status *status);
void nnrt_trainer_free(nnrt_trainer *trainer);
int64_t nnrt_trainer_epoch(const nnrt_trainer *trainer); /* completed */
int64_t nnrt_trainer_step_count(const nnrt_trainer *trainer);

/* One compiled step on a batch: x (batch, features...), y (batch,
 * targets...) or NULL for a model without targets. `loss` and `metrics` (nnrt_model_num_metrics values) get the
 * batch means. */
int nnrt_trainer_step(nnrt_trainer *trainer, const nnrt_tensor *x,
                      const nnrt_tensor *y, float learning_rate, float *loss,
                      float *metrics, nnrt_status *status);

/* nnrt_trainer_step for any number of inputs and targets: x[0..nx) in the
 * model's input order, y[0..ny) one per target (ny = 0 without targets),
 * all with the same number of rows: Keras' fit([x1, x2], [y1, y2]). */
int nnrt_trainer_step_arrays(nnrt_trainer *trainer,
                             const nnrt_tensor *const *x, size_t nx,
                             const nnrt_tensor *const *y, size_t ny,
                             float learning_rate, float *loss,
                             float *metrics, nnrt_status *status);

/* Keras' fit: per-epoch seeded shuffling, the last partial batch trained
 * on, loss and metrics weighted by batch size, validation after each epoch.
 * Continues from the trainer's epoch (after a checkpoint was loaded) up to
 * opts->epochs. Stops with an error naming the epoch and step when the loss
 * is NaN or infinite. Returns the history of all epochs. */
nnrt_history *nnrt_trainer_fit(nnrt_trainer *trainer, const nnrt_tensor *x,
                               const nnrt_tensor *y,
                               const nnrt_fit_options *opts,
                               nnrt_status *status);

/* nnrt_trainer_fit for any number of inputs and targets (as
 * nnrt_trainer_step_arrays takes them); every array is shuffled and split
 * by the same rows. */
nnrt_history *nnrt_trainer_fit_arrays(nnrt_trainer *trainer,
                                      const nnrt_tensor *const *x, size_t nx,
                                      const nnrt_tensor *const *y, size_t ny,
                                      const nnrt_fit_options *opts,
                                      nnrt_status *status);

/* Parameters, optimizer state, counters, seed and history, in one
 * safetensors file written atomically. Loading checks the model. */
int nnrt_trainer_save_checkpoint(const nnrt_trainer *trainer, const char *path,
                                 uint64_t seed, nnrt_status *status);
int nnrt_trainer_load_checkpoint(nnrt_trainer *trainer, const char *path,
                                 uint64_t *seed, nnrt_status *status);

/* Loss and metrics of the model on a whole data set, in batches. */
int nnrt_model_evaluate(nnrt_model *model, const nnrt_tensor *x,
                        const nnrt_tensor *y, int64_t batch_size,
                        double *loss, double *metrics, nnrt_status *status);
int nnrt_model_evaluate_arrays(nnrt_model *model, const nnrt_tensor *const *x,
                               size_t nx, const nnrt_tensor *const *y,
                               size_t ny, int64_t batch_size, double *loss,
                               double *metrics, nnrt_status *status);

size_t nnrt_history_num_epochs(const nnrt_history *history);
/* "loss", "accuracy", "val_loss", "val_accuracy", ... */
size_t nnrt_history_num_series(const nnrt_history *history);
const char *nnrt_history_series_name(const nnrt_history *history, size_t i);
double nnrt_history_value(const nnrt_history *history, size_t series,
                          size_t epoch);
/* Seconds of this process's fit: the epoch loops (shuffling, batching,
 * compiled steps, validation; no data loading, printing or checkpoints),
 * and the part of it inside the compiled train steps. */
double nnrt_history_fit_seconds(const nnrt_history *history);
double nnrt_history_step_seconds(const nnrt_history *history);
int nnrt_history_write_csv(const nnrt_history *history, const char *path,
                           nnrt_status *status);
int nnrt_history_write_json(const nnrt_history *history, const char *path,
                            nnrt_status *status);
/* Loss and metric curves, train and validation: the picture Keras users draw
 * with matplotlib. */
int nnrt_history_write_svg(const nnrt_history *history, const char *title,
                           const char *path, nnrt_status *status);
void nnrt_history_free(nnrt_history *history);

/*--- The generated executable's command line --------------------------------*/

/* `summary`, `predict` and their --help; what the generated main() calls. */
int nnrt_cli_main(int argc, char **argv, const struct nnc_artifact *artifact);

#ifdef __cplusplus
}
#endif

#endif /* NNRT_H */
