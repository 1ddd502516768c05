#!/usr/bin/env bash
# The README's throughput tables: `pagoda bench throughput` (pp512, tg128, c16; median of 5 after
# one warm-up; bounds from the in-process probes) for one checkpoint in F32, BF16, Q8_0 and Q4_0.
# usage: bench/throughput-matrix.sh MODEL_DIR OUT_DIR   (MODEL_DIR: a BF16 checkpoint, e.g. from
#        ./pagoda make-test-model --like qwen2.5-0.5b --tokenizer ../shared/tokenizers/qwen2.5 --out DIR)
# Q4_0_CONCURRENCY=1 skips Q4_0's c16, the slowest of the runs; FORMATS="q8_0" reruns some rows only.
set -euo pipefail
model="$1"; out="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
for format in ${FORMATS:-bf16 f32 q8_0 q4_0}; do
  case "$format" in
    bf16) flags=() ;;
    f32) flags=(--dtype float32) ;;
    *) flags=(--quantization "$format") ;;
  esac
  concurrency=1,16
  if [ "$format" = q4_0 ]; then concurrency="${Q4_0_CONCURRENCY:-1,16}"; fi
  echo "== $format: load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/$format.log"
  "$root/pagoda" bench throughput --model "$model" "${flags[@]}" --prompt-len 512 --gen-len 128 \
    --concurrency "$concurrency" --runs 5 --warmup 1 --output-json "$out/$format.json" 2>&1 | grep -v WARNING | tee -a "$out/$format.log"
  echo "== after: load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/$format.log"
done
