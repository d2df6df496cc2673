#!/usr/bin/python3
"""Upstream SpeechTokenizer (PyTorch) timed at batch 1: the (u) variant of `npm run bench`.

Loads the model with upstream's own loader (`SpeechTokenizer.load_from_checkpoint`) from an
upstream checkout, then, per pass over the files, runs `encode(wav)` and `decode(codes)` on each
utterance alone (batch 1, shape (1, 1, L)) and prints one JSON line of timings.

Two ways to drive it:
  one shot   --repeats R prints a "ready" line, then R pass lines, then exits.
  --serve    prints "ready", then one pass per command line read on stdin ("run": encode and
             decode, "encode", or "decode" of the latest encode's codes), until "quit" or EOF;
             this is how the bench interleaves (u) round robin with its own variants.

Every line on stdout is one JSON object with a "type" ("ready", "pass" or "error"); logs go to
stderr. Run it with Debian's /usr/bin/python3 (torch 1.13); see the README's Performance section
for OpenBLAS.

Example:
  /usr/bin/python3 bench/upstream/speechtokenizer_run.py --upstream /path/SpeechTokenizer \
      --config model/config.json --ckpt model/SpeechTokenizer.pt --threads 2 --repeats 3 a.wav b.npy
"""

import argparse
import json
import os
import resource
import sys
import time
import types
import wave

import numpy as np

SAMPLE_RATE = 16000
# Below this, per thread, a 1024x1024 fp32 matmul means the reference BLAS (1-3 GFLOP/s in all)
# or a generic OpenBLAS kernel: upstream's timings would then be meaningless. OpenBLAS with the
# right kernel does 50-110 per thread on AVX2/AVX-512 machines; the margin is wide because a
# busy shared machine also lowers the figure.
SLOW_BLAS_GFLOPS_PER_THREAD = 5.0


def openblas_core():
    """The kernel OpenBLAS picked for this CPU (e.g. "Cooperlake"), or None when torch's BLAS is not
    OpenBLAS. A name older than the CPU means OPENBLAS_CORETYPE should be set."""
    import ctypes

    try:
        lib = ctypes.CDLL("libopenblas.so.0")  # the copy torch already loaded, if any
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def log(line):
    print(line, file=sys.stderr, flush=True)


def emit(obj):
    print(json.dumps(obj), flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="ZhangXInFD/SpeechTokenizer checkout (commit 30c96fb)")
    p.add_argument("--config", required=True, help="the model's config.json")
    p.add_argument("--ckpt", required=True, help="the model's state-dict checkpoint (torch.save)")
    p.add_argument("--threads", type=int, required=True, help="torch intra-op threads")
    p.add_argument("--repeats", type=int, default=1, help="passes over the files (one-shot mode)")
    p.add_argument("--serve", action="store_true", help="one pass per command line on stdin (run, encode, decode, quit)")
    p.add_argument("--encode-only", action="store_true", help="skip decode (memory measurements)")
    p.add_argument("--emit-codes", action="store_true", help="the first encode's pass line carries every file's codes")
    p.add_argument("--codes-out", help="write <name>.codes.npy, (n_q, 1, T) int64, from the first encode")
    p.add_argument("--list", help="a file of inputs, one path a line (Kaldi 'key path' lines too)")
    p.add_argument("files", nargs="*", help="16 kHz mono inputs: PCM16 .wav or float32 .npy")
    args = p.parse_args(argv)
    if args.threads < 1 or args.repeats < 1:
        p.error("--threads and --repeats must be at least 1")
    return args


def input_list(args):
    """(key, path) pairs from the positional files and --list."""
    pairs = [(key_of(path), path) for path in args.files]
    if args.list:
        with open(args.list) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 1:
                    pairs.append((key_of(parts[0]), parts[0]))
                elif len(parts) == 2:
                    pairs.append((parts[0], parts[1]))
                elif parts:
                    raise ValueError(f"{args.list}: expected 'path' or 'key path', got {line.strip()!r}")
    if not pairs:
        raise ValueError("no input files given")
    return pairs


def key_of(path):
    name = os.path.basename(path)
    return name.rsplit(".", 1)[0] if "." in name else name


def read_audio(path):
    """float32 [L] at 16 kHz: .npy as stored, .wav PCM16 scaled by 1/32768 (torchaudio's way)."""
    if path.endswith(".npy"):
        audio = np.load(path)
        if audio.ndim != 1:
            raise ValueError(f"{path}: expected a 1-d array, got shape {audio.shape}")
        return audio.astype(np.float32)
    with wave.open(path, "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(
                f"{path}: expected 16 kHz mono 16-bit PCM, got {w.getframerate()} Hz, "
                f"{w.getnchannels()} channels, {8 * w.getsampwidth()}-bit"
            )
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def import_upstream(upstream_dir):
    """Upstream's SpeechTokenizer class, imported without its package __init__.

    The package __init__ also imports the trainer (accelerate, torchaudio, tensorboard, lion_pytorch,
    beartype, matplotlib), none of which inference touches; registering the package by its path
    skips that file and leaves the upstream tree untouched. einops, which inference does use, comes
    from bench/upstream/stubs when it is not installed.
    """
    package_dir = os.path.join(upstream_dir, "speechtokenizer")
    if not os.path.isfile(os.path.join(package_dir, "model.py")):
        raise ValueError(f"--upstream {upstream_dir}: no speechtokenizer/model.py there (not an upstream checkout)")
    sys.path.insert(0, upstream_dir)
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs"))
    package = types.ModuleType("speechtokenizer")
    package.__path__ = [package_dir]
    sys.modules["speechtokenizer"] = package
    from speechtokenizer.model import SpeechTokenizer

    return SpeechTokenizer


def matmul_gflops(torch):
    """fp32 GFLOP/s of a 1024x1024 by 1024x1024 product on torch's current threads, from the
    best of several runs: on a shared machine the best run is the one least disturbed."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    best = float("inf")
    for _ in range(10):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * 1024**3 / best / 1e9


def _status_mb(field):
    """A /proc/self/status memory field (VmRSS, VmHWM) in MB, or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0  # reported in kB
    except OSError:
        return None
    return None


def peak_rss_mb():
    """Peak resident set since the last reset_peak() (VmHWM), else since the process started."""
    hwm = _status_mb("VmHWM")
    # ru_maxrss is in KiB on Linux.
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reset_peak():
    """Restart the peak-RSS count from the current RSS, so loading's transient copy of the
    checkpoint does not hide what inference itself needs. Returns whether the kernel allowed it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Passes:
    """Timed passes at batch 1 over the utterances; the latest encode's codes feed the decodes."""

    def __init__(self, torch, model, utterances, args):
        self.torch, self.model, self.utterances, self.args = torch, model, utterances, args
        self.audio_s = sum(wav.shape[-1] for _, wav in utterances) / SAMPLE_RATE
        self.codes = None  # key -> (n_q, 1, T) int64 tensor
        self.index = 0

    def encode(self):
        codes, seconds = {}, 0.0
        with self.torch.no_grad():
            for key, wav in self.utterances:
                start = time.perf_counter()
                codes[key] = self.model.encode(wav)  # (n_q, 1, T) int64
                seconds += time.perf_counter() - start
        first = self.codes is None
        self.codes = codes
        extra = {}
        if first and self.args.codes_out:
            os.makedirs(self.args.codes_out, exist_ok=True)
            for key, c in codes.items():
                np.save(os.path.join(self.args.codes_out, f"{key}.codes.npy"), c.numpy())
        if first and self.args.emit_codes:
            # key -> n_q rows of T codes (batch axis dropped)
            extra["codes"] = {key: c[:, 0, :].tolist() for key, c in codes.items()}
        return seconds, extra

    def decode(self):
        if self.codes is None:
            raise ValueError("decode before any encode: there are no codes to decode")
        seconds = 0.0
        with self.torch.no_grad():
            for key, _ in self.utterances:
                start = time.perf_counter()
                self.model.decode(self.codes[key])  # (1, 1, 320 * T) float32
                seconds += time.perf_counter() - start
        return seconds

    def run(self, encode, decode):
        """One pass line: encode and/or decode of every utterance, seconds summed per stage."""
        line = {"type": "pass", "index": self.index, "audio_s": self.audio_s, "encode_s": None, "decode_s": None}
        if encode:
            line["encode_s"], extra = self.encode()
            line.update(extra)
        if decode:
            line["decode_s"] = self.decode()
        line["peak_rss_mb"] = peak_rss_mb()
        self.index += 1
        emit(line)


# --serve commands: which stages each runs.
COMMANDS = {"run": (True, True), "encode": (True, False), "decode": (False, True)}


def main(argv):
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    gflops = matmul_gflops(torch)
    slow_blas = gflops < SLOW_BLAS_GFLOPS_PER_THREAD * args.threads
    if slow_blas:
        log(
            f"WARNING: torch's fp32 matmul runs at {gflops:.1f} GFLOP/s on {args.threads} thread(s): "
            "the reference BLAS or an OpenBLAS kernel for the wrong CPU (see the README's Performance section: "
            "point libblas.so.3 at openblas-pthread, set OPENBLAS_CORETYPE)"
        )
    SpeechTokenizer = import_upstream(args.upstream)
    start = time.perf_counter()
    model = SpeechTokenizer.load_from_checkpoint(args.config, args.ckpt)
    model.eval()
    load_s = time.perf_counter() - start
    pairs = input_list(args)
    # wav.view(1, 1, L): batch 1, one channel, as upstream's example feeds it.
    utterances = [(key, torch.from_numpy(read_audio(path)).view(1, 1, -1)) for key, path in pairs]
    passes = Passes(torch, model, utterances, args)
    emit({
        "type": "ready", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "matmul_gflops": gflops, "slow_blas": slow_blas, "openblas_core": openblas_core(), "load_s": load_s,
        "files": len(utterances), "audio_s": passes.audio_s, "load_peak_rss_mb": peak_rss_mb(),
        "rss_mb": _status_mb("VmRSS"), "peak_reset": reset_peak(),
    })
    if not args.serve:
        for _ in range(args.repeats):
            passes.run(True, not args.encode_only)
        return
    for command in sys.stdin:
        command = command.strip()
        if command == "quit":
            break
        if command in COMMANDS:
            try:
                passes.run(*COMMANDS[command])
            except ValueError as error:
                emit({"type": "error", "message": str(error)})
        elif command:
            emit({"type": "error", "message": f"unknown command {command!r} (expected {', '.join(COMMANDS)} or quit)"})


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ValueError, OSError) as error:
        emit({"type": "error", "message": str(error)})
        sys.exit(2)
