# Two commands do all the set-up:  `make demo`  and  `make test`.
PYTHON_SYSTEM ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
STAMP  := $(VENV)/.mmforget-installed
REQS   := requirements/build.txt requirements/mmcv.txt requirements/runtime.txt requirements/tests.txt setup.py

.PHONY: install test demo demo-detection clean-venv

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

demo: install
	$(PY) tools/demo.py

clean-venv:
	rm -rf $(VENV)
