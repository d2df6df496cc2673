#!/usr/bin/python3
"""A seeded random-weight SpeechTokenizer checkpoint written by upstream's own code.

Builds upstream's model from a config (default: upstream's config/spt_base_cfg.json, the released
size), lets upstream's module init draw the weights under `torch.manual_seed(seed)`, gives the
codebooks seeded normal values (upstream leaves them at zero until k-means runs in training) with
`inited` set, and writes `config.json` + `SpeechTokenizer.pt` (torch.save of the state dict, the
released checkpoint format) into OUT. Speed and memory do not depend on the values; this exists so
the upstream side can be measured without the released weights.

  /usr/bin/python3 bench/upstream/speechtokenizer_random.py --upstream DIR --out OUT [--seed N]
"""

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from speechtokenizer_run import import_upstream  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="ZhangXInFD/SpeechTokenizer checkout (commit 30c96fb)")
    p.add_argument("--out", required=True, help="folder to write config.json and SpeechTokenizer.pt into")
    p.add_argument("--config", help="default: <upstream>/config/spt_base_cfg.json")
    p.add_argument("--seed", type=int, default=20240917)
    args = p.parse_args(argv)
    import torch

    SpeechTokenizer = import_upstream(args.upstream)
    config_path = args.config or os.path.join(args.upstream, "config", "spt_base_cfg.json")
    with open(config_path) as f:
        config = json.load(f)
    torch.manual_seed(args.seed)
    model = SpeechTokenizer(config)
    state = model.state_dict()
    for name, tensor in state.items():
        if name.endswith("._codebook.embed"):  # (codebook_size, dimension)
            tensor.copy_(torch.randn(tensor.shape))
        elif name.endswith("._codebook.inited"):  # (1,)
            tensor.fill_(1.0)
    os.makedirs(args.out, exist_ok=True)
    shutil.copyfile(config_path, os.path.join(args.out, "config.json"))
    torch.save(state, os.path.join(args.out, "SpeechTokenizer.pt"))
    count = sum(t.numel() for t in state.values())
    print(json.dumps({"out": args.out, "elements": count, "seed": args.seed}))


if __name__ == "__main__":
    main(sys.argv[1:])
