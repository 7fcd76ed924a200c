#!/bin/bash
# Seed corpora of the fuzz targets (docs/RELIABILITY.md): small real files of every format, one
# folder per target in $1. IDX seeds are cut from Debian's Fashion-MNIST; the run files are the
# layout-1 run of tests/data and a layout-2 run that an ordinary build's orderlens trains
# ($ORDERLENS, or build/app/orderlens); the rest are written here as the programs that make them
# write them (CIFAR records, NumPy .npy headers, VOC annotations, KTH-TIPS2-b names, score CSVs,
# `orderlens export` CSVs, configurations).
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rm -rf "$out"
mkdir -p "$out"/{idx,cifar,npy,scorecsv,vocxml,kthnames,configjson,recordimport,runfile}

python3 - "$out" <<'PY'
import gzip, json, os, random, struct, sys
out = sys.argv[1]
def put(target, name, data):
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

# IDX: the first images and labels of Fashion-MNIST, raw and gzip; the first byte of a seed
# tells fuzz_idx which rank to expect (odd: images, 3; even: labels, 1).
fm = "/usr/share/datasets/fashion-mnist"
for kind, rank, count in (("images-idx3-ubyte", 3, 4), ("labels-idx1-ubyte", 1, 16)):
    src = os.path.join(fm, "t10k-" + kind + ".gz")
    if not os.path.exists(src):
        continue
    raw = gzip.open(src).read()
    header = 4 + 4 * rank
    item = 28 * 28 if rank == 3 else 1
    small = raw[:4] + struct.pack(">I", count) + raw[8:header] + raw[header:header + count * item]
    flag = bytes([1 if rank == 3 else 0])
    put("idx", kind + ".raw", flag + small)
    put("idx", kind + ".gz", flag + gzip.compress(small, mtime=0))

# CIFAR-100 train.bin: coarse and fine label bytes, then 3072 pixel bytes, per record.
rng = random.Random(1)
for n in (1, 3):
    put("cifar", "train-%d.bin" % n, b"".join(bytes([rng.randrange(20), rng.randrange(100)]) +
                                            bytes(rng.randrange(256) for _ in range(3072)) for _ in range(n)))

# NumPy .npy, format 1.0: CIFAR-10H-like probabilities, float64 C order and float32 Fortran order.
def npy(descr, fortran, shape, payload):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%d, %d), }" % (descr, fortran, *shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload
put("npy", "probs-f8.npy", npy("<f8", "False", (3, 10), struct.pack("<30d", *[0.1] * 30)))
put("npy", "probs-f4-fortran.npy", npy("<f4", "True", (2, 10), struct.pack("<20f", *[0.05 * i for i in range(20)])))

# Score CSVs: visual search difficulty (headerless), a keyed import, crisp boundaries' columns.
put("scorecsv", "visual-search.csv", b"2008_000008,3.215\n2008_000015,2.5\n")
put("scorecsv", "keyed.csv", b"key,value\ntrain/cat/1.png,0.5\n/data/train/dog/2.png,nan\ntest/000001,\n")
put("scorecsv", "crisp.csv", b"Image,EdgeStrength\n1.png,12.5\n2008_000008.jpg,3\n")

# Pascal VOC annotations as the devkit has them.
put("vocxml", "000005.xml", b"""<annotation><folder>VOC2007</folder><filename>000005.jpg</filename>
<size><width>500</width><height>375</height><depth>3</depth></size><segmented>0</segmented>
<object><name>chair</name><pose>Rear</pose><truncated>0</truncated><difficult>0</difficult>
<bndbox><xmin>263</xmin><ymin>211</ymin><xmax>324</xmax><ymax>339</ymax></bndbox></object>
<object><name>chair</name><pose>Unspecified</pose><truncated>1</truncated><difficult>1</difficult>
<bndbox><xmin>5</xmin><ymin>244</ymin><xmax>67</xmax><ymax>374</ymax></bndbox></object>
</annotation>
""")

# KTH-TIPS2-b file names.
for name in ("22a-scale_2_im_1_col.png", "52b-scale_10_im_12_col.png", "10c-scale_5_im_7_grey.png"):
    put("kthnames", name.replace(".png", ".txt"), name.encode())

# Configurations as `--config` files hold them.
put("configjson", "demo.json", json.dumps({"dataset": "fashion-mnist", "limit_train": 10000, "limit_test": 2000,
    "input_size": 32, "architecture": "lenet5", "networks": 5, "epochs": 20, "batch_size": 128,
    "optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.0005, "scheduler": "cosine",
    "seed": 1, "device": "cpu", "threads": 0}).encode())
put("configjson", "adam.json", b'{"optimizer": "adam", "scheduler": "onecycle", "epochs": 3, "corrupt_prob": 0.2}')

# `orderlens export` records for fuzz_recordimport's six images (train/000000..3, test/000004..5).
rows = ["network,epoch,split,key,correct,predicted,p_true,margin"]
for n in range(2):
    for e in range(2):
        for i in range(6):
            split = "train" if i < 4 else "test"
            rows.append("%d,%d,%s,%s/00000%d,%d,%d,%.3f,%.3f" % (n, e, split, split, i, (i + e) % 2,
                                                                 i % 3 if (i + e) % 2 else (i + 1) % 3, 0.5, 0.1))
put("recordimport", "records.csv", ("\n".join(rows) + "\n").encode())
PY

# Run files: the committed layout-1 run (variable-length strings in HDF5's global heap, checked
# before HDF5 reads them) and a layout-2 run.
cp "$root/tests/data/run-v1/run-v1.h5" "$out/runfile/layout1.h5"
orderlens="${ORDERLENS:-$root/build/app/orderlens}"
if [ -x "$orderlens" ]; then
  tmp="$(mktemp -d)"
  "$orderlens" train --dataset fashion-mnist --limit-train 40 --limit-test 20 --architecture net --networks 2 \
    --epochs 1 --batch-size 20 --threads 1 --run "$tmp/run.h5" > /dev/null
  cp "$tmp/run.h5" "$out/runfile/layout2.h5"
  rm -rf "$tmp"
fi
echo "seeds in $out: $(find "$out" -type f | wc -l) files"
