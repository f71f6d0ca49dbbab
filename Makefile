# Two commands do all the set-up:  `make demo`  and  `make test`.
PYTHON_SYSTEM ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
STAMP  := $(VENV)/.mmforget-installed
REQS   := requirements/build.txt requirements/mmcv.txt requirements/runtime.txt requirements/tests.txt setup.py

.PHONY: install test demo demo-forget presets-table demo-dino demo-detection compare-digits demo-numbers \
	compare-numbers compare-numbers-gs-lora compare-numbers-checks \
	numbers-checks-cost \
	compare-digits-methods compare-digits-checks compare-shapes \
	tune-numbers sweep-numbers check-resume clean-venv

install: $(STAMP)

# The stamp makes a second `make install` on a ready .venv a no-op.
$(STAMP): $(REQS)
	@test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PIP) install -r requirements/build.txt
	# mmcv compiles its ops against the torch above (CUDA ops too when nvcc
	# is present, or with FORCE_CUDA=1); pip caches the built wheel.
	MAX_JOBS=$${MAX_JOBS:-2} MMCV_WITH_OPS=1 $(PIP) install --no-build-isolation -r requirements/mmcv.txt
	$(PIP) install -r requirements/runtime.txt -r requirements/tests.txt
	$(PIP) install --no-build-isolation --no-deps -e .
	@touch $(STAMP)

# pytest exits 5 when it collected no test: that is a failure too.
test: install
	$(PY) -m pytest tests -q -p no:cacheprovider

# The digits ViT that the forgetting demo starts from (about a minute).
PRETRAINED := checkpoints/vit-tiny_digits.pth
$(PRETRAINED): | $(STAMP)
	$(PY) tools/train.py configs/pretrain/vit-tiny_digits.py --work-dir work_dirs/vit-tiny_digits
	$(PY) tools/publish_checkpoint.py work_dirs/vit-tiny_digits $@

# Each demo run gets its own work dir, so earlier results are never touched.
DEMO_DIR ?= work_dirs/gs-lora_vit-tiny_digits_continual/$(shell date +%Y%m%d_%H%M%S)
demo: install $(PRETRAINED)
	$(PY) tools/train.py configs/gs_lora/gs-lora_vit-tiny_digits_continual.py --work-dir $(DEMO_DIR)
	@cat $(DEMO_DIR)/forgetting_summary.csv

# The same digits ViT made to forget classes named on the command line
# (digits 3 and 7, then 1) from its plain config, in one command.
FORGET_DIR ?= work_dirs/forget_digits/$(shell date +%Y%m%d_%H%M%S)
demo-forget: install $(PRETRAINED)
	$(PY) tools/forget.py configs/pretrain/vit-tiny_digits.py $(PRETRAINED) --forget 3 7 --then 1 --work-dir $(FORGET_DIR)

# Where the LoRA presets put adapters in each model family, at base size.
presets-table: install
	$(PY) tools/lora_presets_table.py

# The generated shapes detection data and the tiny Deformable DETR trained on
# it (about 25 minutes on 2 CPU cores).
SHAPES := data/shapes/annotations/val.json
$(SHAPES): | $(STAMP)
	$(PY) tools/make_shapes.py data/shapes
DETECTOR := checkpoints/deformable-detr-tiny_shapes.pth
$(DETECTOR): | $(SHAPES)
	$(PY) tools/train.py configs/pretrain/deformable-detr-tiny_shapes.py --work-dir work_dirs/deformable-detr-tiny_shapes
	$(PY) tools/publish_checkpoint.py work_dirs/deformable-detr-tiny_shapes $@

DETECTION_DEMO_DIR ?= work_dirs/gs-lora_deformable-detr-tiny_shapes_continual/$(shell date +%Y%m%d_%H%M%S)
demo-detection: install $(DETECTOR)
	$(PY) tools/train.py configs/gs_lora/gs-lora_deformable-detr-tiny_shapes_continual.py --work-dir $(DETECTION_DEMO_DIR)
	@cat $(DETECTION_DEMO_DIR)/forgetting_summary.csv

# The same on a tiny DINO (about 45 minutes of pre-training on one core).
DINO := checkpoints/dino-tiny_shapes.pth
$(DINO): | $(SHAPES)
	$(PY) tools/train.py configs/pretrain/dino-tiny_shapes.py --work-dir work_dirs/dino-tiny_shapes
	$(PY) tools/publish_checkpoint.py work_dirs/dino-tiny_shapes $@

DINO_DEMO_DIR ?= work_dirs/gs-lora_dino-tiny_shapes_continual/$(shell date +%Y%m%d_%H%M%S)
demo-dino: install $(DINO)
	$(PY) tools/train.py configs/gs_lora/gs-lora_dino-tiny_shapes_continual.py --work-dir $(DINO_DEMO_DIR)
	@cat $(DINO_DEMO_DIR)/forgetting_summary.csv

# GS-LoRA and GS-LoRA++ against a Retrain detector on the shapes: AP and the
# Forgotten-Object Fate (Retrain: 20 epochs per task from scratch).
compare-shapes: install $(DETECTOR)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/deformable-detr-tiny_shapes_continual.py --out-dir work_dirs/compare_shapes_methods

# GS-LoRA vs GS-LoRA++ on digits: full data, 4-shot, 2 missing classes, 3 seeds.
DIGITS_CONFIGS := $(foreach s,continual continual-4shot continual-missing2,\
	configs/gs_lora/gs-lora_vit-tiny_digits_$(s).py \
	configs/gs_lora_plus/gs-lora-plus_vit-tiny_digits_$(s).py)
compare-digits: install $(PRETRAINED)
	$(PY) tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/compare_digits $(DIGITS_CONFIGS)

# The 100 handwritten numbers: a 6-block ViT pre-trained on them, then the
# papers' 4 x 20 continual protocol.
NUMBERS_PRETRAINED := checkpoints/vit-6b_numbers.pth
$(NUMBERS_PRETRAINED): | $(STAMP)
	$(PY) tools/train.py configs/pretrain/vit-6b_numbers.py --work-dir work_dirs/vit-6b_numbers
	$(PY) tools/publish_checkpoint.py work_dirs/vit-6b_numbers $@

NUMBERS_DEMO_DIR ?= work_dirs/gs-lora_vit-6b_numbers_continual/$(shell date +%Y%m%d_%H%M%S)
demo-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/train.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --work-dir $(NUMBERS_DEMO_DIR)
	@cat $(NUMBERS_DEMO_DIR)/forgetting_summary.csv

# GS-LoRA vs GS-LoRA++ on the numbers: full data, 4-shot, 5 missing, 3 seeds.
NUMBERS_CONFIGS := $(foreach s,continual continual-4shot continual-missing5,\
	configs/gs_lora/gs-lora_vit-6b_numbers_$(s).py \
	configs/gs_lora_plus/gs-lora-plus_vit-6b_numbers_$(s).py)
compare-numbers-gs-lora: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/compare_numbers $(NUMBERS_CONFIGS)

# Every method on the numbers (Retrain, GS-LoRA(++), the papers' baselines):
# tuned on the validation split with the same grid budget, then 3 seeds of
# full data and 1 seed of 4-shot; two runs at a time. Finished runs are
# reused, so it can be stopped and started again.
compare-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/vit-6b_numbers_continual.py --out-dir work_dirs/compare_numbers_methods

# The gap cards (forgetting checks against Retrain) of that comparison.
compare-numbers-checks: compare-numbers
	$(PY) tools/compare_checks.py --plan configs/comparisons/vit-6b_numbers_continual.py --out-dir work_dirs/compare_numbers_methods

# What the default checks cost: the comparison's GS-LoRA run (seed 0, its
# pick) again, with the checks of O, U and Retrain after every task.
numbers-checks-cost: compare-numbers
	$(PY) tools/train.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --work-dir work_dirs/numbers_checks_cost --cfg-options optim_wrapper.optimizer.lr=0.01 train_cfg.method.forget_loss.loss_weight=0.5 train_cfg.evaluation.per_class=100 train_cfg.reference=work_dirs/compare_numbers_methods/full-data/retrain_vit-6b_numbers_continual_seed0

compare-digits-methods: install $(PRETRAINED)
	$(PY) tools/compare_methods.py --jobs 2 --plan configs/comparisons/vit-tiny_digits_continual.py --out-dir work_dirs/compare_digits_methods

# The gap cards of the digits comparison.
compare-digits-checks: compare-digits-methods
	$(PY) tools/compare_checks.py --plan configs/comparisons/vit-tiny_digits_continual.py --out-dir work_dirs/compare_digits_methods

# How the full-data GS-LoRA settings were chosen: on the validation split,
# data_ratio 0.1 first, then 0.25 (limits: val Acc_f and Acc_o <= 5).
TUNE_NUMBERS := $(PY) tools/tune_on_val.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --out-dir work_dirs/tune_gs-lora_numbers --max-forget 5 --max-old 5
tune-numbers: install $(NUMBERS_PRETRAINED)
	$(TUNE_NUMBERS) --grid "train_dataloader.dataset.data_ratio=0.1" "train_cfg.method.forget_loss.bound=12|24|48" "train_cfg.method.forget_loss.loss_weight=0.2|0.5"
	$(TUNE_NUMBERS) --grid "train_dataloader.dataset.data_ratio=0.25" "train_cfg.method.forget_loss.bound=12|16" "train_cfg.method.forget_loss.loss_weight=0.2|0.5"

# A digits run killed in the middle of task 1 and resumed, against an
# uninterrupted run: the summaries must be equal.
check-resume: install $(PRETRAINED)
	$(PY) tools/kill_and_resume.py configs/gs_lora/gs-lora_vit-tiny_digits_continual.py --out-dir work_dirs/kill_and_resume/$(shell date +%Y%m%d_%H%M%S)

# Zero-group ratio and H-Mean against the group-lasso weight alpha.
sweep-numbers: install $(NUMBERS_PRETRAINED)
	$(PY) tools/sweep_group_sparsity.py configs/gs_lora/gs-lora_vit-6b_numbers_continual.py --out-dir work_dirs/sweep_numbers

clean-venv:
	rm -rf $(VENV)
