# Everyday commands. `make help` lists them. Needs Python 3.11+ and GNU make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# MNIST: a folder with the four .gz files (or a torchvision root). Every command below reads it
# through VAE_DATA_DIR, so `make data DATA_DIR=...` and `make train DATA_DIR=...` agree.
DATA_DIR ?= $(if $(VAE_DATA_DIR),$(VAE_DATA_DIR),../shared/mnist)
export VAE_DATA_DIR := $(abspath $(DATA_DIR))
DOWNLOAD ?= 0
MODELS := mnist-z2 mnist-z5 mnist-z10 mnist-z20
# The objectives lab (the Compare objectives page): an autoencoder and beta-VAEs on the VAEs' architecture.
LAB_MODELS := mnist-z20-ae mnist-z20-beta0.25 mnist-z20-beta1 mnist-z20-beta4 mnist-z20-beta16 mnist-z2-ae mnist-z2-beta4
# --write stores the measured figures (test NLL, ELBO, ...) in each model's card.json.
EVAL_ARGS ?= --write
PYTEST_ARGS ?=

.PHONY: help venv dev axe run test test-fast lint lesson-check data digits train $(MODELS:mnist-%=train-%) \
	train-lab $(LAB_MODELS:mnist-%=train-%) evaluate evaluate-lab stats bench clean

help:
	@echo "make venv       create .venv and install requirements.txt"
	@echo "make run        start the app on http://localhost:$(PORT) (PORT=...)"
	@echo "make test       the whole test suite, browser tests included"
	@echo "make test-fast  the suite without browser tests"
	@echo "make lint       ruff"
	@echo "make lesson-check  check every lesson file in lessons/ (see docs/lessons.md)"
	@echo "make data       prepare MNIST from DATA_DIR=$(DATA_DIR) (DOWNLOAD=1 fetches it)"
	@echo "make digits     rebuild pretrained/mnist-test-digits.npz (the shipped test digits) from DATA_DIR"
	@echo "make train      train every shipped model as its card records (or one: make train-z20), then its latent stats"
	@echo "make train-lab  train the objectives lab (an autoencoder and beta-VAEs; or one: make train-z20-beta4)"
	@echo "make evaluate   test ELBO and importance-weighted NLL of every shipped VAE (evaluate-lab: the lab's)"
	@echo "make stats      recompute the latent statistics of every shipped model"
	@echo "make bench      run every script in benchmarks/ (a quick configuration; see benchmarks/README.md)"

# --- environment -------------------------------------------------------------
# Stamp files: a re-run is instant, and editing a requirements file reinstalls.

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements.stamp: requirements.txt | $(BIN)/python
	$(BIN)/pip install -r requirements.txt
	touch $@

$(VENV)/.requirements-dev.stamp: requirements-dev.txt $(VENV)/.requirements.stamp
	$(BIN)/pip install -r requirements-dev.txt
	touch $@

venv: $(VENV)/.requirements.stamp

dev: $(VENV)/.requirements-dev.stamp

# axe-core, the accessibility checker tests/browser/test_screens.py injects into every page: the version
# package-lock.json pins, installed by `npm ci` into node_modules/ (npm: `apt-get install npm`).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: apt-get install npm (it installs axe-core for the browser tests)"; exit 1; }
	npm ci --no-audit --no-fund

axe: node_modules/.package-lock.json

# --- app ---------------------------------------------------------------------

run: venv
	@echo "VAE Explorer: http://localhost:$(PORT)"
	$(BIN)/streamlit run app.py --server.port $(PORT)

# --- checks ------------------------------------------------------------------
# pytest exits 5 when it collects no tests; make treats that, like any failure, as an error.

test: dev axe
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: dev
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: dev
	$(BIN)/ruff check .

lesson-check: venv
	$(BIN)/python -m views.lessons

# --- data and models ---------------------------------------------------------

data: venv
	$(BIN)/python -c 'from vae_core.data import prepare_mnist; print("MNIST ready in", prepare_mnist("$(VAE_DATA_DIR)", download=$(if $(filter 1,$(DOWNLOAD)),True,False)))'

# The 10,000 test digits the app shows, rebuilt byte for byte (the app checks the file's SHA-256).
digits: venv
	$(BIN)/python -m vae_core.digits --data-dir "$(VAE_DATA_DIR)"

train: $(MODELS:mnist-%=train-%)

# Each train-* target runs the configuration recorded in its model's card.json (`training.command`,
# `training.args`, `training.resumes`); tests/test_train.py checks that they agree.
# z2, z5 and z10: the card's command, verbatim. They were trained on an NVIDIA H100 with MNIST in
# .data/mnist, so they need a CUDA GPU (the random draws differ on a CPU); .data/mnist is made a link
# to DATA_DIR, so the recorded path reads the same files (their SHA-256s are checked against the card).
.data/mnist:
	mkdir -p .data && ln -sfn $(VAE_DATA_DIR) .data/mnist

train-z2: data .data/mnist
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z2 --latent-dim 2 --hidden 512,512 --epochs 300 --kl-warmup 2 --seed 0 --device cuda --data-dir .data/mnist --snapshot-epochs 0,1,2,3,5,10,20,50,100,200,300
	$(BIN)/python -m vae_core.stats pretrained/mnist-z2

train-z5: data .data/mnist
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z5 --latent-dim 5 --hidden 512,512 --epochs 300 --kl-warmup 5 --seed 0 --device cuda --data-dir .data/mnist
	$(BIN)/python -m vae_core.stats pretrained/mnist-z5

train-z10: data .data/mnist
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z10 --latent-dim 10 --hidden 512,512 --epochs 300 --kl-warmup 5 --seed 0 --device cuda --data-dir .data/mnist
	$(BIN)/python -m vae_core.stats pretrained/mnist-z10

# z20 (on a CPU): the card's command, started with --epochs 400, was interrupted at epoch 55 and resumed
# with --epochs 200, then interrupted at epoch 74 and resumed with --epochs 300 (its `training.resumes`);
# each resume re-planned the cosine schedule. The three commands below replay that: --stop-after ends a
# leg where the Ctrl-C came. Two differences remain, so this reproduces the run closely, not bit for bit:
# the Ctrl-Cs came mid-epoch (the partial epoch's updates were kept, then the epoch restarted from its
# first batch), and --precision fp32 is added because the run predates that flag and ran in fp32,
# where today's default (auto) would pick bf16 on a CPU with AVX512-BF16 or AMX.
train-z20: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20 --latent-dim 20 --hidden 512,512 --epochs 400 --batch-size 128 --lr 1e-3 --kl-warmup 10 --seed 0 --threads 1 --precision fp32 --stop-after 55
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20 --resume --epochs 200 --stop-after 74
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20 --resume --epochs 300
	$(BIN)/python -m vae_core.stats pretrained/mnist-z20

# The objectives lab, on this project's 2-core CPU: every model the same short schedule (40 epochs, 1 thread, bf16
# products), the card's command verbatim; the VAEs among them warm the KL weight up from 0 to beta over 4 epochs.
train-lab: $(LAB_MODELS:mnist-%=train-%)

train-z20-ae: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20-ae --latent-dim 20 --objective ae --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z20-ae

train-z20-beta1: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20-beta1 --latent-dim 20 --beta 1 --kl-warmup 4 --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z20-beta1

train-z20-beta4: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20-beta4 --latent-dim 20 --beta 4 --kl-warmup 4 --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z20-beta4

train-z20-beta16: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20-beta16 --latent-dim 20 --beta 16 --kl-warmup 4 --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z20-beta16

train-z20-beta0.25: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z20-beta0.25 --latent-dim 20 --beta 0.25 --kl-warmup 4 --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z20-beta0.25

train-z2-ae: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z2-ae --latent-dim 2 --objective ae --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z2-ae

train-z2-beta4: data
	$(BIN)/python -m vae_core.train --out pretrained/mnist-z2-beta4 --latent-dim 2 --beta 4 --kl-warmup 4 --hidden 512,512 --epochs 40 --seed 0 --threads 1 --precision bf16
	$(BIN)/python -m vae_core.stats pretrained/mnist-z2-beta4

evaluate: data
	for m in $(MODELS); do $(BIN)/python -m vae_core.evaluate pretrained/$$m $(EVAL_ARGS) || exit 1; done

# The lab's figures: ELBO, KL per dimension and active units on all 10,000 test digits, the IW NLL (k = 1000) on
# the first 2,000 (the autoencoder has none): 4 to 6 min a VAE on one thread of this project's busy 2-core machine.
LAB_EVAL_ARGS ?= --iw-samples 1000 --iw-limit 2000 --threads 1 --write
evaluate-lab: data
	for m in $(LAB_MODELS); do $(BIN)/python -m vae_core.evaluate pretrained/$$m $(LAB_EVAL_ARGS) || exit 1; done

stats: data
	$(BIN)/python -m vae_core.stats $(MODELS:%=pretrained/%) $(LAB_MODELS:%=pretrained/%)

# Every script in benchmarks/ but those the browser benchmarks import or serve. Each runs in a quick
# configuration, BENCH_ARGS_<script name> (override on the command line); benchmarks/README.md has the full runs.
BENCH_SCRIPTS := $(filter-out benchmarks/harness.py benchmarks/floor_app.py,$(sort $(wildcard benchmarks/*.py)))
BENCH_ARGS_bench_views ?= --runs 50 --warmup 5
BENCH_ARGS_bench_browser ?= --presses 10
BENCH_ARGS_bench_reruns ?= --runs 10
BENCH_ARGS_bench_cold_start ?= --repeats 1
BENCH_ARGS_bench_pad ?= --seconds 3
BENCH_ARGS_bench_live ?= --seconds 2
BENCH_ARGS_bench_photos ?= --photos 60 --not-digits 6
BENCH_ARGS_bench_train ?= --max-batches 100
BENCH_ARGS_load_classroom ?= --sessions 4 --browsers 2
BENCH_ARGS_load_replicas ?= --replicas 2 --sessions 4 --browsers 1 --interactions 8 --think 0.5-1 --arrival 2 --kill-at 6 --restart-after 2 --late 2
bench_args = $(BENCH_ARGS_$(basename $(notdir $(1))))

bench: dev  # the browser benchmarks need playwright, bench_photos scikit-learn (requirements-dev.txt), load_replicas haproxy
	@test -n "$(BENCH_SCRIPTS)" || { echo "no scripts in benchmarks/"; exit 1; }
	@set -e; $(foreach s,$(BENCH_SCRIPTS),echo "== $(s) $(call bench_args,$(s))"; $(BIN)/python $(s) $(call bench_args,$(s));)

clean:
	rm -rf artifacts .pytest_cache .ruff_cache node_modules
