#!/usr/bin/env bash
# Regenerates the committed speech fixtures with Debian's espeak-ng and sox:
#   apt-get install -y espeak-ng sox && bash scripts/make-audio-fixtures.sh
# speech.wav: 16 kHz mono 16-bit, "Hello world." / 1 s pause / "This is a test."
# speech-22k.wav: the same phrase at espeak's native 22.05 kHz (exercises resampling).
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/audio"
tmp=$(mktemp -d)
espeak-ng -v en-us -s 160 -m -w "$tmp/raw.wav" 'Hello world. <break time="1000ms"/> This is a test.'
sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 speech.wav
sox "$tmp/raw.wav" -c 1 -b 16 speech-22k.wav trim 0 1.2
rm -rf "$tmp"
soxi speech.wav speech-22k.wav | grep -E 'Input File|Sample Rate|Duration'
