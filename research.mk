# The research targets: comparisons, tuning on the validation split, sweeps
# and checks. Run as `make -f research.mk TARGET`; each writes its table into
# docs/en/results/ (see docs/en/results/README.md). The Python env, the data
# and the pre-trained checkpoints come from the top Makefile.
include Makefile
.DEFAULT_GOAL := compare-digits-methods

.PHONY: compare-digits compare-digits-methods compare-digits-checks \
	compare-numbers compare-numbers-gs-lora compare-numbers-checks \
	numbers-checks-cost compare-shapes tune-numbers sweep-numbers check-resume \
	pin-numbers depth-numbers depth-numbers-target depth-shapes \
	depth-numbers-target-tasks-0-1 depth-numbers-target-task-2 \
	depth-numbers-target-task-2-turned \
	depth-numbers-target-task-3 depth-numbers-sparsity o3-numbers s3t-numbers worst-case-numbers worst-case-digits \
	one-portrait-numbers \
	shapes-fresh-decoder compare-shapes-dino \
	depth-one-request depth-one-request-by-share depth-one-request-features \
	depth-digits-memorising

# GS-LoRA and GS-LoRA++ against a Retrain detector on the shapes: AP and the
# Forgotten-Object Fate (Retrain: 20 epochs per task from scratch).
compare-shapes: install $(DETECTOR)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/deformable-detr-tiny_shapes_continual.py --out-dir work_dirs/compare_shapes_methods --results detection.md:compare-shapes

# Is the object gone from the detector? Head reset (the forgotten logit
# removed), PRR and GS-LoRA against a Retrain detector: AP and the
# Forgotten-Object Fate, 2 seeds (Retrain: 20 epochs per task from scratch),
# then the probes on the decoder queries matched to the objects.
depth-shapes: install $(DETECTOR)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/deformable-detr-tiny_shapes_depth.py --out-dir work_dirs/depth_shapes --results detection.md:depth-shapes
	$(PY) tools/compare_depth.py --jobs 2 --plan configs/comparisons/deformable-detr-tiny_shapes_depth.py --out-dir work_dirs/depth_shapes --tasks 0 1 --results depth.md:depth-shapes --image docs/images/depth_shapes.png

# A decoder that never saw the forgotten shapes (EU-k over the frozen
# encoder, and with the encoder reset too) beside Head reset and GS-LoRA: AP
# and the Forgotten-Object Fate, 2 seeds (about 95 core-minutes of runs
# here: some 50 minutes on 2 cores).
shapes-fresh-decoder: install $(DETECTOR)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/deformable-detr-tiny_shapes_fresh-decoder.py --out-dir work_dirs/shapes_fresh_decoder --results detection.md:shapes-fresh-decoder

# The detection targets on the tiny DINO: Head reset, PRR, GS-LoRA, 2 seeds
# (no Retrain DINO; about 75 core-minutes of runs here: some 40 minutes on 2
# cores).
compare-shapes-dino: install $(DINO)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/dino-tiny_shapes.py --out-dir work_dirs/compare_shapes_dino --results detection.md:compare-shapes-dino

# GS-LoRA vs GS-LoRA++ on digits: full data, 4-shot, 2 missing classes, 3 seeds.
DIGITS_CONFIGS := $(foreach s,continual continual-4shot continual-missing2,\
	configs/gs_lora/gs-lora_vit-tiny_digits_$(s).py \
	configs/gs_lora_plus/gs-lora-plus_vit-tiny_digits_$(s).py)
compare-digits: install $(PRETRAINED)
	$(PY) tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/compare_digits $(DIGITS_CONFIGS) --keys h_mean --results digits.md:compare-digits

# GS-LoRA vs GS-LoRA++ on the numbers: full data, 4-shot, 5 missing, 3 seeds.
NUMBERS_CONFIGS := $(foreach s,continual continual-4shot continual-missing5,\
	configs/gs_lora/gs-lora_vit-6b_numbers_$(s).py \
	configs/gs_lora_plus/gs-lora-plus_vit-6b_numbers_$(s).py)
compare-numbers-gs-lora: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/compare_numbers $(NUMBERS_CONFIGS) --results-table means --results numbers.md:compare-numbers-gs-lora

# Every method on the numbers (Retrain, GS-LoRA(++), the papers' baselines):
# tuned on the validation split with the same grid budget, then 3 seeds of
# full data and 1 seed of 4-shot; two runs at a time. Finished runs are
# reused, so it can be stopped and started again.
compare-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/vit-6b_numbers_continual.py --out-dir work_dirs/compare_numbers_methods --results numbers.md:compare-numbers --image docs/images/compare_numbers.png

# The gap cards (forgetting checks against Retrain) of that comparison.
compare-numbers-checks: compare-numbers
	$(PY) tools/compare_checks.py --plan configs/comparisons/vit-6b_numbers_continual.py --out-dir work_dirs/compare_numbers_methods --results numbers.md:compare-numbers-checks --image docs/images/gap_cards_numbers.png

# What the default checks cost: the comparison's GS-LoRA run (seed 0, its
# pick) again, with the checks of O, U and Retrain after every task.
numbers-checks-cost: compare-numbers
	$(PY) tools/train.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --work-dir work_dirs/numbers_checks_cost --cfg-options optim_wrapper.optimizer.lr=0.01 train_cfg.method.forget_loss.loss_weight=0.5 train_cfg.evaluation.per_class=100 train_cfg.reference=work_dirs/compare_numbers_methods/full-data/retrain_vit-6b_numbers_continual_seed0

compare-digits-methods: install $(PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/vit-tiny_digits_continual.py --out-dir work_dirs/compare_digits_methods --results digits.md:compare-digits-methods

# The gap cards of the digits comparison.
compare-digits-checks: compare-digits-methods
	$(PY) tools/compare_checks.py --plan configs/comparisons/vit-tiny_digits_continual.py --out-dir work_dirs/compare_digits_methods --results digits.md:compare-digits-checks --image docs/images/gap_cards_digits.png

# How the full-data GS-LoRA settings were chosen: on the validation split,
# data_ratio 0.1 first, then 0.25 (limits: val Acc_f and Acc_o <= 5).
TUNE_NUMBERS := $(PY) tools/tune_on_val.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --out-dir work_dirs/tune_gs-lora_numbers --max-forget 5 --max-old 5
tune-numbers: install $(NUMBERS_PRETRAINED)
	$(TUNE_NUMBERS) --grid "train_dataloader.dataset.data_ratio=0.1" "train_cfg.method.forget_loss.bound=12|24|48" "train_cfg.method.forget_loss.loss_weight=0.2|0.5" --results numbers.md:tune-numbers-1
	$(TUNE_NUMBERS) --grid "train_dataloader.dataset.data_ratio=0.25" "train_cfg.method.forget_loss.bound=12|16" "train_cfg.method.forget_loss.loss_weight=0.2|0.5" --results numbers.md:tune-numbers-2

# Gone or hidden: every method against a Retrain trained to convergence (3
# seeds, the noise band) at every task of the numbers, with the depth checks;
# which checks separate the original from Retrain, each method's Residuals
# and the Pareto plot (TA against the worst decisive Residual). Finished
# runs and checked tasks are reused, so it can be stopped and started again.
DEPTH_NUMBERS := configs/comparisons/vit-6b_numbers_depth.py
depth-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS) --out-dir work_dirs/depth_numbers --results depth.md:depth-numbers-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS) --out-dir work_dirs/depth_numbers --results depth.md:depth-numbers --image docs/images/depth_numbers.png --summary README.md:which-method

# The rows the 4 x 20 targets are read on (Retrain, Head reset, PRR, UNDO
# without a teacher and by share), every task: the same runs and checks as
# depth-numbers for those rows, into their own results section. The checks
# take about 6 minutes a model and task on one core (16 models a task):
# DEPTH_TARGET_TASKS=3 checks the last task only (about 50 minutes).
DEPTH_NUMBERS_TARGET := configs/comparisons/vit-6b_numbers_depth-target.py
DEPTH_TARGET_TASKS ?= 0 1 2 3
depth-numbers-target: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET) --out-dir work_dirs/depth_numbers --results depth.md:depth-numbers-target-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET) --out-dir work_dirs/depth_numbers --tasks $(DEPTH_TARGET_TASKS) --results depth.md:depth-numbers-target --image docs/images/depth_numbers_target.png

# The same rows' tasks 0 and 1 from runs stopped after task 1 (about 40
# minutes of runs and 45 of checks on 2 cores), into their own section.
DEPTH_NUMBERS_TARGET_0_1 := configs/comparisons/vit-6b_numbers_depth-target-tasks-0-1.py
depth-numbers-target-tasks-0-1: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_0_1) --out-dir work_dirs/depth_numbers_tasks_0_1 --results depth.md:depth-numbers-target-tasks-0-1-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_0_1) --out-dir work_dirs/depth_numbers_tasks_0_1 --tasks 0 1 --results depth.md:depth-numbers-target-tasks-0-1 --image docs/images/depth_numbers_target_tasks_0_1.png

# The same plan's task 2 (40 kept), unchecked above: Retrain, Head reset,
# the UNDO noise rules and two ablations of the noise and the budget, from
# runs stopped after task 2, checked at task 2 (about 100 minutes on 2 cores
# from nothing), into their own section.
DEPTH_NUMBERS_TARGET_2 := configs/comparisons/vit-6b_numbers_depth-target-task-2.py
depth-numbers-target-task-2: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_2) --out-dir work_dirs/depth_numbers_tasks_0_2 --results depth.md:depth-numbers-target-task-2-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_2) --out-dir work_dirs/depth_numbers_tasks_0_2 --tasks 2 --results depth.md:depth-numbers-target-task-2 --image docs/images/depth_numbers_target_task_2.png

# The relearning attacks' control on the same runs: the forgotten numbers'
# images with each digit turned, new classes for every model (about 25
# minutes of checks once the runs above are done).
DEPTH_NUMBERS_TARGET_2_TURNED := configs/comparisons/vit-6b_numbers_depth-target-task-2-turned.py
depth-numbers-target-task-2-turned: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_2_TURNED) --out-dir work_dirs/depth_numbers_tasks_0_2
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_2_TURNED) --out-dir work_dirs/depth_numbers_tasks_0_2 --tasks 2 --results depth.md:depth-numbers-target-task-2-turned --image docs/images/depth_numbers_target_task_2_turned.png

# The same plan's task 3 (20 kept) on this build of the original:
# Retrain, Head reset and the two UNDO noise rules, checked at task 3
# (about 85 minutes on 2 cores), into their own section.
DEPTH_NUMBERS_TARGET_3 := configs/comparisons/vit-6b_numbers_depth-target-task-3.py
depth-numbers-target-task-3: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_3) --out-dir work_dirs/depth_numbers --results depth.md:depth-numbers-target-task-3-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS_TARGET_3) --out-dir work_dirs/depth_numbers --tasks 3 --results depth.md:depth-numbers-target-task-3 --image docs/images/depth_numbers_target_task_3.png

# Group lasso, CLEAR's l1, both or neither on GS-LoRA's adapters (numbers
# 4 x 20, 3 seeds, the l1 weight tuned on val), checked at the last task:
# about 20 minutes of tuning, 50 of runs and 35 of checks on 2 cores.
DEPTH_NUMBERS_SPARSITY := configs/comparisons/vit-6b_numbers_depth-sparsity.py
depth-numbers-sparsity: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_NUMBERS_SPARSITY) --out-dir work_dirs/depth_numbers --results depth.md:depth-numbers-sparsity-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_NUMBERS_SPARSITY) --out-dir work_dirs/depth_numbers --tasks 3 --results depth.md:depth-numbers-sparsity --image docs/images/depth_numbers_sparsity.png

# O3's gated suppression on the numbers 4 x 20 beside GS-LoRA (tuned on
# val, 3 seeds), its depth checks and gate openings after the last task.
O3_NUMBERS := configs/comparisons/vit-6b_numbers_o3.py
o3-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(O3_NUMBERS) --out-dir work_dirs/depth_numbers --results seed_systems.md:o3-numbers-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(O3_NUMBERS) --out-dir work_dirs/depth_numbers --tasks 3 --results seed_systems.md:o3-numbers --image docs/images/o3_numbers.png

# S3T on the numbers: per seed, a store trained slice by slice (the base
# on 00-49 for 60 epochs, five slices of ten over 50-99, five orders;
# about 15 minutes), then four deletions served from it (training-free);
# the table of what each deletion serves, keeps and costs.
S3T_NUMBERS := work_dirs/s3t_numbers
s3t-numbers: install
	for seed in 0 1 2; do \
	  test -f $(S3T_NUMBERS)/train_seed$$seed/s3t_store/index.json || $(PY) tools/train.py configs/s3t/s3t-train_vit-6b_numbers.py --work-dir $(S3T_NUMBERS)/train_seed$$seed --cfg-options randomness.seed=$$seed || exit 1; \
	  test -f $(S3T_NUMBERS)/delete_seed$$seed/task_3.pth || $(PY) tools/train.py configs/s3t/s3t_vit-6b_numbers_continual.py --work-dir $(S3T_NUMBERS)/delete_seed$$seed --cfg-options randomness.seed=$$seed model.pretrained=$(S3T_NUMBERS)/train_seed$$seed/s3t_store/served.pth train_cfg.method.store=$(S3T_NUMBERS)/train_seed$$seed/s3t_store || exit 1; \
	done
	$(PY) tools/s3t_table.py $(S3T_NUMBERS) --results seed_systems.md:s3t-numbers

# The 20 numbers hardest to forget for the numbers ViT (Challenging
# Forgets' bi-level selection, 3 random starts) against the cheap proxy
# (the lowest per-class training loss); about a minute.
worst-case-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/worst_case_classes.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py $(NUMBERS_PRETRAINED) --budget 20 --seeds 0 1 2 --out work_dirs/worst_case_numbers.json --results seed_systems.md:worst-case-numbers

# The same check on the digits ViT, 2 of 10 digits (seconds).
worst-case-digits: install $(PRETRAINED)
	$(PY) tools/worst_case_classes.py configs/gs_lora/gs-lora_vit-tiny_digits_continual.py $(PRETRAINED) --budget 2 --seeds 0 1 2 --out work_dirs/worst_case_digits.json --results seed_systems.md:worst-case-digits

# One portrait per forgotten class (1-SHUI's setting) beside the full data:
# GS-LoRA, GS-LoRA++, SSD, SCAR, LAF, PRR and MetaUnlearn, 3 seeds each
# (about 55 runs on a fresh out dir, reused afterwards).
one-portrait-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/vit-6b_numbers_1portrait.py --out-dir work_dirs/depth_numbers --results seed_systems.md:one-portrait-numbers

# Gone or hidden, one request of 80 numbers (the 20 kept of the last task
# above): Retrain converged in one training per seed, Head reset, GS-LoRA,
# PRR, UNDO and their ablations; the depth checks on the rows of the
# -checks plan (about 5 minutes a model: all rows would not fit 3 hours).
DEPTH_ONE_REQUEST := configs/comparisons/vit-6b_numbers_depth-one-request.py
DEPTH_ONE_REQUEST_CHECKS := configs/comparisons/vit-6b_numbers_depth-one-request-checks.py
depth-one-request: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_ONE_REQUEST) --out-dir work_dirs/depth_one_request --results depth.md:depth-one-request-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_ONE_REQUEST_CHECKS) --out-dir work_dirs/depth_one_request --tasks 0 --results depth.md:depth-one-request --image docs/images/depth_one_request.png

# The one-request rows that pick UNDO's noise for depth (the largest noise
# within 2 points of Head reset's kept accuracy on val): runs and checks of
# Retrain, Head reset, that pick and one step less noise, in their own
# section (about 80 minutes).
DEPTH_ONE_REQUEST_BY_SHARE := configs/comparisons/vit-6b_numbers_depth-one-request-by-share.py
depth-one-request-by-share: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_ONE_REQUEST_BY_SHARE) --out-dir work_dirs/depth_one_request --results depth.md:depth-one-request-by-share-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_ONE_REQUEST_BY_SHARE) --out-dir work_dirs/depth_one_request --tasks 0 --results depth.md:depth-one-request-by-share --image docs/images/depth_one_request_by_share.png

# The one-request rows that act on the features: Retrain, Head reset, UNDO
# by share (its scale picked on val), the same with the early blocks noised
# a third as much, and Contrastive Unlearning (tuned on val), runs and
# checks in their own section (about 85 minutes on 2 cores).
DEPTH_ONE_REQUEST_FEATURES := configs/comparisons/vit-6b_numbers_depth-one-request-features.py
depth-one-request-features: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_ONE_REQUEST_FEATURES) --out-dir work_dirs/depth_one_request --results depth.md:depth-one-request-features-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_ONE_REQUEST_FEATURES) --out-dir work_dirs/depth_one_request --tasks 0 --results depth.md:depth-one-request-features --image docs/images/depth_one_request_features.png

# Gone or hidden when the original memorised its training images (item 6
# of the depth comparison): the digits ViT trained 300 epochs without
# augmentation on 270 training images, one request of 2 digits, Retrain
# converged with the same recipe, Head reset, PRR and UNDO; the depth checks
# (about 20 minutes).
MEMORISING_PRETRAINED := checkpoints/vit-tiny_digits-memorising.pth
$(MEMORISING_PRETRAINED): | $(STAMP)
	$(PY) tools/train.py configs/pretrain/vit-tiny_digits-memorising.py --work-dir work_dirs/vit-tiny_digits-memorising
	$(PY) tools/publish_checkpoint.py work_dirs/vit-tiny_digits-memorising $@

DEPTH_MEMORISING := configs/comparisons/vit-tiny_digits-memorising_depth.py
depth-digits-memorising: install $(MEMORISING_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan $(DEPTH_MEMORISING) --out-dir work_dirs/depth_digits_memorising --results depth.md:depth-digits-memorising-runs
	$(PY) tools/compare_depth.py --jobs 2 --plan $(DEPTH_MEMORISING) --out-dir work_dirs/depth_digits_memorising --tasks 0 --results depth.md:depth-digits-memorising --image docs/images/depth_digits_memorising.png

# A digits run killed in the middle of task 1 and resumed, against an
# uninterrupted run: the summaries must be equal.
check-resume: install $(PRETRAINED)
	$(PY) tools/kill_and_resume.py configs/gs_lora/gs-lora_vit-tiny_digits_continual.py --out-dir work_dirs/kill_and_resume/$(shell date +%Y%m%d_%H%M%S)

# Zero-group ratio and H-Mean against the group-lasso weight alpha.
sweep-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/sweep_group_sparsity.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --out-dir work_dirs/sweep_numbers --results numbers.md:sweep-numbers

# The numbers GS-LoRA seed-0 summary must not move when the engine changes:
# one run (minutes) compared with tests/data/pinned/numbers_gs_lora.json by
# tests/test_engine/test_pinned_numbers.py (exact on the CPU that wrote it).
PIN_NUMBERS_DIR ?= work_dirs/pin_numbers/$(shell date +%Y%m%d_%H%M%S)
pin-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/train.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --work-dir $(PIN_NUMBERS_DIR)
	PINNED_NUMBERS_RUN=$(PIN_NUMBERS_DIR) $(PY) -m pytest tests/test_engine/test_pinned_numbers.py -q -p no:cacheprovider
