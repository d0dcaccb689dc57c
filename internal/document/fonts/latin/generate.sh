#!/bin/sh
# Regenerates the Latin subsets of DejaVu used by the certificate renderer (certificate.go).
# Needs pyftsubset from fontTools (Debian: apt-get install fonttools). The output is
# deterministic for a given fontTools version; commit the .ttf files it writes.
#
# Why: certificate PDFs embed these faces whole, compressed once per process and copied into
# every certificate, so their size is paid in every file. A full DejaVu Serif face has about
# 3,500 glyphs; these keep the ~385 that Indonesian names, titles and the certificate's own
# text use (Basic Latin, Latin-1, Latin Extended-A, a few more letters, punctuation, €, №).
# A character outside them is set in the full face of ../, embedded only in that certificate.
# Hinting (a third of each face, irrelevant in print and ignored by most PDF viewers) and the
# layout tables (the PDF writer does no shaping) are dropped; the name table keeps the
# family names, the copyright and the licence.
set -eu
cd "$(dirname "$0")"
UNICODES="U+0020-007E,U+00A0-017F,U+0218-021B,U+02BB-02BC,U+02C6-02C7,U+02D8-02DD,U+2010-2027,U+2030,U+2032-2033,U+2039-203A,U+20AC,U+2116,U+2122,U+2212,U+FFFD"
for face in DejaVuSerif DejaVuSerif-Bold DejaVuSerif-Italic; do
	pyftsubset "../$face.ttf" --unicodes="$UNICODES" --layout-features='' --no-hinting \
		--name-IDs='0,1,2,3,4,5,6,13,14' --notdef-outline --recommended-glyphs \
		--drop-tables+=GSUB,GPOS,GDEF,kern,FFTM,MATH --output-file="$face-Latin.ttf"
done
