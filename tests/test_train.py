"""The trainer end to end on a few hundred random "digits": files written, metrics, snapshots, Ctrl-C and --resume."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from vae_core import train
from vae_core.checkpoint import METRICS, TRAIN_STATE, load_model
from vae_core.data import MNISTSplit
from vae_core.model import VAE, VAEConfig
from vae_core.snapshots import SNAPSHOT_DIR

ROOT = Path(__file__).resolve().parent.parent
N_TRAIN, N_TEST, BATCH = 512, 128, 64
STEPS_PER_EPOCH = N_TRAIN // BATCH
FINGERPRINT = {"train-images-idx3-ubyte": "0" * 64}
ARGS = ["--latent-dim", "2", "--hidden", "16", "--batch-size", str(BATCH), "--seed", "3"]


@pytest.fixture(autouse=True)
def small_random_mnist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The trainer's data functions, replaced by small fixed random data (no MNIST needed)."""

    def load_mnist(is_train: bool, data_dir=None, download: bool = False) -> MNISTSplit:
        g = torch.Generator().manual_seed(0 if is_train else 1)
        n = N_TRAIN if is_train else N_TEST
        return MNISTSplit(torch.rand(n, 784, generator=g), torch.randint(0, 10, (n,), generator=g))

    monkeypatch.setattr(train, "load_mnist", load_mnist)
    monkeypatch.setattr(train, "prepare_mnist", lambda data_dir=None, download=False: tmp_path / "no-data-needed")
    monkeypatch.setattr(train, "data_fingerprint", lambda root: dict(FINGERPRINT))


def metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / METRICS).read_text().splitlines()]


def card(out: Path) -> dict:
    return json.loads((out / "card.json").read_text())


def state_epoch(out: Path) -> int:
    with safe_open(str(out / TRAIN_STATE), "pt") as f:
        return int(f.metadata()["epoch"])


def interrupt_at_step(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Ctrl-C once, while the trainer draws the batch of global step `step` (0-based)."""
    real_binarize, calls = train.binarize, []

    def binarize(grey, generator=None):
        calls.append(1)
        if len(calls) == step + 1:
            raise KeyboardInterrupt
        return real_binarize(grey, generator)

    monkeypatch.setattr(train, "binarize", binarize)


def test_training_writes_model_card_metrics_and_train_state(tmp_path: Path):
    out = tmp_path / "run"
    train.main(["--out", str(out), *ARGS, "--epochs", "2"])

    assert {"model.safetensors", "card.json", METRICS, TRAIN_STATE} <= {p.name for p in out.iterdir()}
    model, c = load_model(out)
    assert model.config.latent_dim == 2 and model.config.hidden == (16,)
    t = c["training"]
    assert t["command"].startswith("python -m vae_core.train --out ")
    assert "--latent-dim 2" in t["command"]
    assert t["args"]["latent_dim"] == 2 and t["args"]["hidden"] == "16" and t["args"]["epochs"] == 2
    assert t["args"]["seed"] == 3
    assert t["epochs"] == 2
    assert isinstance(t["wall_time_s"], float) and t["wall_time_s"] >= 0
    assert t["device"].startswith("cpu")
    assert t["torch"] == torch.__version__
    assert t["data_sha256"] == FINGERPRINT

    rows = metrics(out)
    assert [r["epoch"] for r in rows] == [1, 2]
    for r in rows:
        assert r["train_elbo"] < 0 and r["test_elbo"] < 0
        assert r["train_elbo"] == pytest.approx(r["train_log_likelihood"] - r["train_kl"], abs=1e-3)
        assert r["test_elbo"] == pytest.approx(r["test_log_likelihood"] - r["test_kl"], abs=1e-3)
    assert t["final"] == rows[-1]
    assert state_epoch(out) == 2


def test_the_objective_flag_trains_an_autoencoder_or_a_beta_vae_and_the_card_records_it(tmp_path: Path):
    train.main(["--out", str(tmp_path / "ae"), *ARGS, "--epochs", "2", "--objective", "ae"])
    train.main(["--out", str(tmp_path / "b4"), *ARGS, "--epochs", "2", "--beta", "4"])
    ae, b4 = card(tmp_path / "ae")["training"], card(tmp_path / "b4")["training"]
    assert (ae["args"]["objective"], ae["args"]["beta"]) == ("ae", 1.0)
    assert (b4["args"]["objective"], b4["args"]["beta"]) == ("vae", 4.0)
    for r in metrics(tmp_path / "ae"):  # an autoencoder has no KL, so no ELBO: only its likelihood is logged
        assert set(r) == {"epoch", "train_log_likelihood", "test_log_likelihood", "lr", "epoch_seconds"}
        assert r["test_log_likelihood"] < 0
    # the beta-VAE pays 4x for its KL, so it keeps less of it than the VAE of the same run
    train.main(["--out", str(tmp_path / "b1"), *ARGS, "--epochs", "2"])
    assert metrics(tmp_path / "b4")[-1]["test_kl"] < metrics(tmp_path / "b1")[-1]["test_kl"]


@pytest.mark.parametrize("flag", [["--beta", "4"], ["--kl-warmup", "2"]])
def test_the_autoencoder_refuses_a_kl_weight(flag: list[str], capsys: pytest.CaptureFixture):
    with pytest.raises(SystemExit):
        train.parse_args(["--out", "x", "--objective", "ae", *flag])
    assert "the ae objective does not have" in capsys.readouterr().err


def test_snapshots_hold_decoder_weights_and_test_means_for_the_requested_epochs(tmp_path: Path):
    out = tmp_path / "run"
    train.main(["--out", str(out), *ARGS, "--epochs", "2", "--snapshot-epochs", "0,1,2"])
    files = sorted((out / SNAPSHOT_DIR).iterdir())
    assert [p.name for p in files] == [f"epoch-{e:04d}.safetensors" for e in (0, 1, 2)]
    model, _ = load_model(out)
    decoder = model.decoder.state_dict()
    snaps = [load_file(str(p)) for p in files]
    for epoch, (path, snap) in enumerate(zip(files, snaps)):
        with safe_open(str(path), "pt") as f:
            assert f.metadata()["epoch"] == str(epoch)
        assert set(snap) == {f"decoder.{k}" for k in decoder} | {"test_mu"}
        assert snap["test_mu"].shape == (N_TEST, 2) and snap["test_mu"].dtype == torch.float16
        for k, v in decoder.items():
            assert snap[f"decoder.{k}"].shape == v.shape
    for k, v in decoder.items():  # the last snapshot is the final decoder, in half precision
        torch.testing.assert_close(snaps[2][f"decoder.{k}"], v.half())
    assert not torch.equal(snaps[0]["decoder.0.weight"], snaps[2]["decoder.0.weight"])  # training moved them


@pytest.mark.parametrize("interrupted_step", [3, STEPS_PER_EPOCH + 3], ids=["in-epoch-1", "in-epoch-2"])
def test_ctrl_c_saves_and_resume_completes_every_epoch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted_step: int
):
    out = tmp_path / "run"
    argv = ["--out", str(out), *ARGS, "--epochs", "3", "--snapshot-epochs", "1,3"]
    completed_before = interrupted_step // STEPS_PER_EPOCH
    interrupt_at_step(monkeypatch, interrupted_step)
    with pytest.raises(SystemExit) as exit_info:
        train.main(argv)
    assert exit_info.value.code == 130

    # Saved at the interruption: completed epochs only in the card, metrics and train state...
    assert card(out)["training"]["epochs"] == completed_before
    assert [r["epoch"] for r in metrics(out)] == list(range(1, completed_before + 1))
    assert state_epoch(out) == completed_before
    kept_lines = (out / METRICS).read_text().splitlines()
    wall_before = card(out)["training"]["wall_time_s"]
    # ...but the weights include the interrupted epoch's updates (resume then restarts that epoch)
    if completed_before:
        partial, _ = load_model(out)
        at_epoch_end = load_file(str(out / SNAPSHOT_DIR / "epoch-0001.safetensors"))["decoder.0.weight"]
        assert not torch.equal(partial.decoder[0].weight.half(), at_epoch_end)

    train.main(["--out", str(out), "--resume"])  # (the patched binarize raises only once)

    rows = metrics(out)
    assert [r["epoch"] for r in rows] == [1, 2, 3]  # complete, in order, no duplicates
    assert (out / METRICS).read_text().splitlines()[:completed_before] == kept_lines
    c = card(out)["training"]
    assert c["epochs"] == 3 and state_epoch(out) == 3
    assert c["wall_time_s"] >= wall_before  # the time before the interruption is kept
    assert c["final"] == rows[-1]
    assert c["command"] == "python -m vae_core.train " + " ".join(argv)  # the original command, not --resume
    assert c["args"]["latent_dim"] == 2 and c["args"]["seed"] == 3
    assert c["resumes"] == [{"at_epoch": completed_before, "epochs": 3}]
    assert sorted(p.name for p in (out / SNAPSHOT_DIR).iterdir()) == [
        "epoch-0001.safetensors",
        "epoch-0003.safetensors",
    ]
    load_model(out)


def test_resume_after_ctrl_c_between_metrics_line_and_snapshot_writes_no_duplicate_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "run"
    real_snapshot, raised = train.save_snapshot, []

    def snapshot(out_dir, model, epoch, test_x):
        if epoch == 2 and not raised:  # epoch 2's metrics line is already written
            raised.append(epoch)
            raise KeyboardInterrupt
        real_snapshot(out_dir, model, epoch, test_x)

    monkeypatch.setattr(train, "save_snapshot", snapshot)
    with pytest.raises(SystemExit):
        train.main(["--out", str(out), *ARGS, "--epochs", "3", "--snapshot-epochs", "2"])
    assert len(metrics(out)) == 2 and state_epoch(out) <= 2  # the resume must not repeat epoch 2's line
    train.main(["--out", str(out), "--resume"])
    assert [r["epoch"] for r in metrics(out)] == [1, 2, 3]
    assert card(out)["training"]["epochs"] == 3
    assert [p.name for p in (out / SNAPSHOT_DIR).iterdir()] == ["epoch-0002.safetensors"]


def test_train_step_in_bf16_keeps_float32_weights_and_terms_and_lowers_the_loss():
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=2, hidden=(32,), activation="gelu"))
    opt = train.make_optimizer(model, 1e-2)
    x = (torch.arange(784) < 392).float().expand(64, 784)  # one fixed picture: learnable in a few steps
    first = train.train_step(model, opt, x, 1.0, "bf16")
    for _ in range(30):
        last = train.train_step(model, opt, x, 1.0, "bf16")
    assert first.elbo.dtype == first.mu.dtype == torch.float32
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert last.elbo.mean() > first.elbo.mean() + 50  # it learns


def test_precision_auto_is_fp32_on_cuda_and_explicit_choices_are_kept():
    assert train.resolve_precision("auto", "cuda") == "fp32"
    assert train.resolve_precision("fp32", "cpu") == "fp32"
    assert train.resolve_precision("bf16", "cuda") == "bf16"


@pytest.mark.parametrize(
    ("avx512_bf16", "amx", "expected"), [(False, False, "fp32"), (True, False, "bf16"), (False, True, "bf16")]
)
def test_precision_auto_on_cpu_is_bf16_only_where_the_cpu_multiplies_bf16_natively(
    monkeypatch: pytest.MonkeyPatch, avx512_bf16: bool, amx: bool, expected: str
):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert train.resolve_precision("auto", "cpu") == expected


def test_card_records_the_precision_a_run_used(tmp_path: Path):
    out = tmp_path / "m"
    train.main([*ARGS, "--epochs", "1", "--precision", "bf16", "--out", str(out)])
    assert card(out)["training"]["args"]["precision"] == "bf16"


def test_stop_after_then_resume_gives_the_uninterrupted_run_bit_for_bit(tmp_path: Path):
    argv = [*ARGS, "--epochs", "3", "--kl-warmup", "1.5"]
    train.main(["--out", str(tmp_path / "whole"), *argv])
    train.main(["--out", str(tmp_path / "legs"), *argv, "--stop-after", "1"])
    assert card(tmp_path / "legs")["training"]["epochs"] == 1 and state_epoch(tmp_path / "legs") == 1
    train.main(["--out", str(tmp_path / "legs"), "--resume"])

    whole, legs = load_file(str(tmp_path / "whole" / TRAIN_STATE)), load_file(str(tmp_path / "legs" / TRAIN_STATE))
    assert whole.keys() == legs.keys()
    for k in whole:
        assert torch.equal(whole[k], legs[k]), k
    timeless = [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in metrics(tmp_path / "whole")]
    assert [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in metrics(tmp_path / "legs")] == timeless
    assert card(tmp_path / "legs")["training"]["resumes"] == [{"at_epoch": 1, "epochs": 3}]


# --- make train-* runs what each shipped card records ------------------------------------------------------

CARDS = {p.parent.name: json.loads(p.read_text())["training"] for p in sorted(ROOT.glob("pretrained/*/card.json"))}


def makefile_train_commands() -> dict[str, list[str]]:
    """Each train-* target's `python -m vae_core.train ...` lines, as the shell would run them."""
    targets: dict[str, list[str]] = {}
    name = None
    for line in (ROOT / "Makefile").read_text().splitlines():
        if m := re.match(r"train-([\w.-]+):", line):
            name = f"mnist-{m.group(1)}"
            targets[name] = []
        elif name and line.startswith("\t") and "-m vae_core.train " in line:
            targets[name].append(line.strip().replace("$(BIN)/python", "python"))
        elif not line.startswith("\t"):
            name = None
    return {k: v for k, v in targets.items() if v}  # train-lab only names other targets


def test_every_shipped_model_has_a_make_target():
    lab = {f"mnist-z20-{o}" for o in ("ae", "beta0.25", "beta1", "beta4", "beta16")} | {"mnist-z2-ae", "mnist-z2-beta4"}
    assert set(makefile_train_commands()) == set(CARDS) == {"mnist-z2", "mnist-z5", "mnist-z10", "mnist-z20", *lab}


def test_shipped_cards_training_args_rebuild_a_train_config():
    for name, training in CARDS.items():
        config = train.TrainConfig.from_card(training["args"])
        before = {"precision": "fp32", "objective": "vae", "beta": 1.0}  # z20 predates --precision, z2-z20 --objective
        assert config.to_card() == {**before, **training["args"]}, name
        assert config.out == f"pretrained/{name}"


@pytest.mark.parametrize("name", sorted(CARDS))
def test_make_target_runs_the_configuration_its_card_records(name: str):
    training, legs = CARDS[name], makefile_train_commands()[name]
    prefix = "python -m vae_core.train "
    assert all(leg.startswith(prefix) for leg in legs)
    if len(legs) == 1:  # a run never interrupted: make prints the card's command
        assert legs == [training["command"]]

    first = train.parse_args(shlex.split(legs[0].removeprefix(prefix)))
    recorded = train.parse_args(shlex.split(training["command"].removeprefix(prefix)))
    as_typed = {"precision", "stop_after"}  # checked below against the args the run used
    assert {k: v for k, v in vars(first).items() if k not in as_typed} == {
        k: v for k, v in vars(recorded).items() if k not in as_typed
    }

    # Replay the legs as main() would: a new run, then each --resume with the card of the leg before.
    config = train.TrainConfig.from_args(first)
    config.precision = train.resolve_precision(config.precision, config.device)
    resumes, stop = [], first.stop_after
    for leg in legs[1:]:
        args = train.parse_args(shlex.split(leg.removeprefix(prefix)))
        assert args.resume and stop is not None
        resumes.append({"at_epoch": stop, "epochs": args.epochs})
        config, stop = train.resume_config(args, config.to_card()), args.stop_after
    assert stop is None  # the last leg trains to the end
    assert config.to_card() == train.TrainConfig.from_card(training["args"]).to_card()
    assert resumes == training.get("resumes", [])
