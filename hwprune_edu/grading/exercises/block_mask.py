"""Exercise 2c, ``block_mask``: prune whole ``block`` tiles of the GEMM view, ranked by their L1 norm."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case, distinct, rounding_fraction, tied
from hwprune_edu.grading.common_mistakes import (
    DROPPED, FLATTENED, INVERTED, MUTATED, PRUNED_LARGEST, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE, rounding,
)
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake, naive_mistake, same_output
from hwprune_edu.grading.judging import Fail, amount_text, as_mask, judged, ordered, passes, sum_rtol
from hwprune_edu.util.validation import resolve_amount


REFERENCE, NOTEBOOK = pruning.block_mask, "02_structured_masks"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    kw = ("block",)
    return [
        case("", True, kw=kw, weights=distinct(np.random.default_rng(7), (4, 8)), amount=3, block=(2, 2)),
        case("ties", True, kw=kw, weights=np.array([[1.0, 1.0, 0.5, 0.5], [1.0, 1.0, 0.5, 0.5],
                                                  [0.5, 0.5, 1.0, 1.0], [0.5, 0.5, 1.0, 1.0]]), amount=0.5, block=(2, 2)),
        case("tall blocks", kw=kw, weights=distinct(rng, (6, 4)), amount=0.5, block=(3, 2)),
        case("wide blocks", kw=kw, weights=distinct(rng, (6, 6)), amount=2, block=(2, 3)),
        case("conv 4-D", kw=kw, weights=distinct(rng, (4, 2, 2, 2), 0.01), amount=0.5, block=(2, 4)),
        case("amount 0", kw=kw, weights=distinct(rng, (4, 4)), amount=0.0, block=(2, 2)),
        case("amount 1.0", kw=kw, weights=distinct(rng, (4, 4)), amount=1.0, block=(2, 2)),
        case("1 block", kw=kw, weights=distinct(rng, (2, 2)), amount=1, block=(2, 2)),
        case("ties", kw=kw, weights=tied(rng, (4, 6)), amount=2, block=(2, 2)),
        case("4x4 blocks", kw=kw, weights=distinct(rng, (8, 8), 0.01), amount=0.75, block=(4, 4)),
        case("1x1 blocks", kw=kw, weights=distinct(rng, (2, 3)), amount=2, block=(1, 1)),
        # 12 tiles of 2x2: a fraction whose tile count is not whole tells round from floor.
        case("round, not floor", kw=kw, weights=distinct(rng, (6, 8)), amount=rounding_fraction(rng, 12), block=(2, 2)),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Whole tiles of the GEMM view; exact tile count; no kept tile L1 below a pruned one."""
    w = np.asarray(case.arguments["weights"])
    amount, (br, bc) = case.arguments["amount"], case.arguments["block"]
    keep, note = as_mask(output, w.shape)
    matrix = keep.reshape(w.shape[0], -1)
    rows, cols = matrix.shape
    tiles = matrix.reshape(rows // br, br, cols // bc, bc).transpose(0, 2, 1, 3).reshape(rows // br, cols // bc, -1)
    partial = ~(tiles.all(axis=2) | ~tiles.any(axis=2))
    if partial.any():
        i, j = np.argwhere(partial)[0]
        raise Fail(f"tile ({i}, {j}) (rows {i * br}..{i * br + br - 1}, columns {j * bc}..{j * bc + bc - 1} of the "
                   f"{rows}x{cols} matrix) is partly pruned: block pruning removes whole {br}x{bc} tiles")
    keep_tiles = tiles[:, :, 0]
    k = resolve_amount(amount, keep_tiles.size)
    n_pruned = int((~keep_tiles).sum())
    if n_pruned != k:
        raise Fail(f"pruned {n_pruned} of {keep_tiles.size} tiles, expected exactly {k} "
                   f"({amount_text(amount, keep_tiles.size, k, 'tiles')})")
    l1 = np.abs(w.astype(np.float64)).reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3))
    ordered(l1, keep_tiles, "tile L1", rtol=sum_rtol(w))
    return f"pruned {k} of {keep_tiles.size} tiles", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _tiles_to_mask(keep_tiles: np.ndarray, br: int, bc: int, shape: tuple) -> np.ndarray:
    return np.repeat(np.repeat(keep_tiles, br, axis=0), bc, axis=1).reshape(shape)


def _prune_lowest_tiles(scores: np.ndarray, amount, block: tuple, shape: tuple) -> np.ndarray:
    """The mask pruning the tiles with the lowest ``scores`` (one per tile), as the naive versions score them."""
    keep = np.ones(scores.size, dtype=bool)
    keep[np.argsort(scores.ravel(), kind="stable")[: resolve_amount(amount, scores.size)]] = False
    return _tiles_to_mask(keep.reshape(scores.shape), block[0], block[1], shape)


def swapped_block_mask(weights, amount, *, block=(4, 4)):
    return pruning.block_mask(weights, amount, block=(block[1], block[0]))


def largest_block_mask(weights, amount, *, block=(4, 4)):
    w = np.asarray(weights)
    br, bc = block
    matrix = np.abs(w).reshape(w.shape[0], -1)
    rows, cols = matrix.shape
    sums = matrix.reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3))
    return _prune_lowest_tiles(-sums, amount, block, w.shape)


def entries_block_mask(weights, amount, *, block=(4, 4)):
    w = np.asarray(weights)
    n_tiles = w.size // (block[0] * block[1])
    return pruning.block_mask(w, min(n_tiles, resolve_amount(amount, w.size)), block=block)


def matrix_only_block_mask(weights, amount, *, block=(4, 4)):
    rows, cols = weights.shape
    br, bc = block
    sums = np.abs(weights).reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3))
    return _prune_lowest_tiles(sums, amount, block, weights.shape)


def floor_block_mask(weights, amount, *, block=(4, 4)):
    w = np.asarray(weights)
    n_tiles = w.size // (block[0] * block[1])
    return pruning.block_mask(w, int(amount * n_tiles) if isinstance(amount, float) else amount, block=block)


def _n_tiles(a: Attempt) -> int:
    shape, (br, bc) = np.shape(a.arguments["weights"]), a.arguments["block"]
    return (shape[0] // br) * (int(np.prod(shape[1:])) // bc)


def inverted_block_mask(weights, amount, *, block=(4, 4)):
    return ~pruning.block_mask(weights, amount, block=block)


# ---------------------------------------------------------------- mistakes, most specific first

def _block_valid(a: Attempt, block: tuple) -> bool:
    mask = a.mask()
    return mask is not None and passes(judge, dict(a.arguments, block=block), mask)


@naive_mistake("wrong_tiling", "reshaped straight into tiles",
               hint="reshape(rows // br, cols // bc, br, bc) does not cut tiles: it mixes entries of different tiles. Use "
                    "reshape(rows // br, br, cols // bc, bc) and sum over axes (1, 3); tile (i, j) is then [i, :, j, :].")
def reshaped_block_mask(weights, amount, *, block=(4, 4)):
    w, (br, bc) = np.asarray(weights), block
    rows, cols = (matrix := np.abs(w).reshape(w.shape[0], -1)).shape
    sums = matrix.reshape(rows // br, cols // bc, br, bc).sum(axis=(2, 3))  # mixes entries of different tiles
    return _prune_lowest_tiles(sums, amount, block, w.shape)


SWAPPED_BLOCK = Mistake(
    "swapped_block", "block read as (cols, rows)",
    "block is (rows, cols): block=(2, 3) is 2 rows tall and 3 columns wide.",
    lambda a: a.arguments["block"][0] != a.arguments["block"][1]
            and _block_valid(a, tuple(a.arguments["block"][::-1])), naive=swapped_block_mask)


TILES_PRUNED_LARGEST = replace(
    PRUNED_LARGEST,
    hint="You pruned the strongest tiles. Prune the tiles with the *smallest* L1 norm "
         "(sum of |w|).",
    recognise=same_output(largest_block_mask),
    naive=largest_block_mask)


AMOUNT_OF_ENTRIES = Mistake(
    "amount_of_entries", "counted the amount in entries, not tiles",
    "amount counts tiles here: round(amount * number_of_tiles), not a fraction of all entries.",
    lambda a: not isinstance(a.arguments["amount"], int) and a.matches(entries_block_mask), naive=entries_block_mask)


CONV_NOT_GEMM = Mistake(
    "conv_not_gemm", "did not view a conv weight as a matrix",
    "A conv weight (out, in, kh, kw) is tiled in its GEMM view: w.reshape(w.shape[0], -1), an "
    "(out, in*kh*kw) matrix. Tile that, then reshape the mask back to w.shape.",
    lambda a: a.status == "error" and np.ndim(a.arguments["weights"]) > 2, naive=matrix_only_block_mask)


FLOOR = rounding(_n_tiles, judge, floor_block_mask, "tiles")


@naive_mistake("l2_tiles", "scored tiles by L2, not L1",
               hint="Tiles are ranked by their L1 norm here, the sum of |w| over the tile; the square root of the sum "
                    "of squares (L2) orders some tiles differently.")
def l2_block_mask(weights, amount, *, block=(4, 4)):
    w, (br, bc) = np.asarray(weights), block
    rows, cols = (matrix := w.reshape(w.shape[0], -1)).shape
    l2 = np.sqrt((matrix**2).reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3)))
    return _prune_lowest_tiles(l2, amount, block, w.shape)


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, reshaped_block_mask, SWAPPED_BLOCK, TILES_PRUNED_LARGEST, AMOUNT_OF_ENTRIES, FLOOR, l2_block_mask,
    CONV_NOT_GEMM, DROPPED, RETURNED_WEIGHTS, FLATTENED, INVERTED.made_by(inverted_block_mask),
)


EXERCISE = Exercise("block_mask", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
