"""Build a `tokenizers` Unigram tokenizer from e5's sentencepiece pieces (optionally a pruned subset)."""
from __future__ import annotations

from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import Unigram


def build(pieces: list[tuple[str, float]], unk_id: int) -> Tokenizer:
    tok = Tokenizer(Unigram(pieces, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    return tok
