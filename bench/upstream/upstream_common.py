"""What every upstream runner of `npm run bench` shares (speechtokenizer_run.py, funcodec_run.py,
repcodec_whisper_run.py): the command line's common flags, reading the inputs, the check for a slow
BLAS, peak memory, and the timed passes at batch 1 with their one-JSON-line-per-pass protocol.

A runner supplies a model's stages as callables (`Stages`); `run_main` does the rest:
  one shot   --repeats R prints a "ready" line, then R pass lines, then exits.
  --serve    prints "ready", then one pass per command line read on stdin ("run": encode and
             decode, "encode", or "decode" of the latest encode's codes), until "quit" or EOF;
             this is how the bench interleaves (u) round robin with its own variants.
Every line on stdout is one JSON object with a "type" ("ready", "pass" or "error"); logs go to stderr.
"""

import argparse
import json
import os
import resource
import sys
import time
import wave

import numpy as np

SAMPLE_RATE = 16000
# Below this, per thread, a 1024x1024 fp32 matmul means the reference BLAS (1-3 GFLOP/s in all)
# or a generic OpenBLAS kernel: upstream's timings would then be meaningless. OpenBLAS with the
# right kernel does 50-110 per thread on AVX2/AVX-512 machines; the margin is wide because a
# busy shared machine also lowers the figure.
SLOW_BLAS_GFLOPS_PER_THREAD = 5.0
STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs")


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


def use_stubs():
    """Stand-ins for packages Debian lacks (bench/upstream/stubs), behind any real installation."""
    if STUBS not in sys.path:
        sys.path.append(STUBS)


def argument_parser(description):
    """The flags every runner takes; a runner adds its model's own."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, required=True, help="torch intra-op threads")
    p.add_argument("--repeats", type=int, default=1, help="passes over the files (one-shot mode)")
    p.add_argument("--serve", action="store_true", help="one pass per command line on stdin (run, encode, decode, quit)")
    p.add_argument("--encode-only", action="store_true", help="skip decode (memory measurements)")
    p.add_argument("--emit-codes", action="store_true", help="the first encode's pass line carries every file's codes")
    p.add_argument("--codes-out", help="write <name>.codes.npy from the first encode")
    p.add_argument("--list", help="a file of inputs, one path a line (Kaldi 'key path' lines too)")
    p.add_argument("files", nargs="*", help="16 kHz mono inputs: PCM16 .wav or float32 .npy")
    return p


def check_counts(parser, args):
    if args.threads < 1 or args.repeats < 1:
        parser.error("--threads and --repeats must be at least 1")
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
    """float32 [L] at 16 kHz: .npy as stored, .wav PCM16 scaled by 1/32768 (torchaudio's and soundfile's way)."""
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


class Stages:
    """A loaded model's stages at batch 1, as callables of one utterance.

    prepare(samples float32 [L]) -> the model's input (untimed: reading and shaping the file);
    encode(input) -> codes as the model returns them; rows(codes) -> list of rows of ints;
    decode(codes) -> anything (None when the model has no decoder); save(codes) -> numpy array.
    """

    def __init__(self, prepare, encode, rows, decode=None, save=None):
        self.prepare, self.encode, self.rows, self.decode, self.save = prepare, encode, rows, decode, save


class Passes:
    """Timed passes at batch 1 over the utterances; the latest encode's codes feed the decodes."""

    def __init__(self, torch, stages, utterances, args, seconds=None):
        self.torch, self.stages, self.args = torch, stages, args
        seconds = seconds or (lambda samples: len(samples) / SAMPLE_RATE)
        self.audio_s = sum(seconds(samples) for _, samples in utterances)
        self.inputs = [(key, stages.prepare(samples)) for key, samples in utterances]
        self.codes = None  # key -> the model's codes
        self.index = 0

    def encode(self):
        codes, seconds = {}, 0.0
        with self.torch.no_grad():
            for key, x in self.inputs:
                start = time.perf_counter()
                codes[key] = self.stages.encode(x)
                seconds += time.perf_counter() - start
        first = self.codes is None
        self.codes = codes
        extra = {}
        if first and self.args.codes_out:
            os.makedirs(self.args.codes_out, exist_ok=True)
            for key, c in codes.items():
                np.save(os.path.join(self.args.codes_out, f"{key}.codes.npy"), self.stages.save(c))
        if first and self.args.emit_codes:
            extra["codes"] = {key: self.stages.rows(c) for key, c in codes.items()}
        return seconds, extra

    def decode(self):
        if self.stages.decode is None:
            raise ValueError("this model has no decoder")
        if self.codes is None:
            raise ValueError("decode before any encode: there are no codes to decode")
        seconds = 0.0
        with self.torch.no_grad():
            for key, _ in self.inputs:
                start = time.perf_counter()
                self.stages.decode(self.codes[key])
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


def run_main(args, load, read=read_audio, seconds=None):
    """Times the model `load(torch)` returns (its Stages) as the flags ask; see the module's doc.
    A runner whose model is not 16 kHz mono gives its own `read(path)` and `seconds(samples)`."""
    import torch

    torch.set_num_threads(args.threads)
    gflops = matmul_gflops(torch)
    slow_blas = gflops < SLOW_BLAS_GFLOPS_PER_THREAD * args.threads
    if slow_blas:
        log(
            f"WARNING: torch's fp32 matmul runs at {gflops:.1f} GFLOP/s on {args.threads} thread(s): "
            "the reference BLAS or an OpenBLAS kernel for the wrong CPU (see docs/benchmark.md: "
            "point libblas.so.3 at openblas-pthread, unset OPENBLAS_CORETYPE or set the right one)"
        )
    start = time.perf_counter()
    stages = load(torch)
    load_s = time.perf_counter() - start
    utterances = [(key, read(path)) for key, path in input_list(args)]
    passes = Passes(torch, stages, utterances, args, seconds)
    emit({
        "type": "ready", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "matmul_gflops": gflops, "slow_blas": slow_blas, "openblas_core": openblas_core(), "load_s": load_s,
        "files": len(utterances), "audio_s": passes.audio_s, "load_peak_rss_mb": peak_rss_mb(),
        "rss_mb": _status_mb("VmRSS"), "peak_reset": reset_peak(),
    })
    if not args.serve:
        for _ in range(args.repeats):
            passes.run(True, not args.encode_only and stages.decode is not None)
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


def guarded(main):
    """Runs main(argv); a bad input or file becomes one "error" line and exit status 2."""
    try:
        main(sys.argv[1:])
    except (ValueError, OSError) as error:
        emit({"type": "error", "message": str(error)})
        sys.exit(2)
