"""The interview question bank, as plain data (no logic): edit here to add a question.

Each entry is a dict with the fields of :class:`hwprune_edu.quiz.question.Question`.
``why_wrong`` has one entry per choice and ``""`` at the right answer's index.
Facts come with their source in the explanation. Tags are listed in ``TAGS``.
Load the bank with :func:`hwprune_edu.quiz.questions`, not from here.

>>> len(BANK) >= 30 and all(set(q["tags"]) <= set(TAGS) for q in BANK)
True
"""

#: tag -> what the tag covers (shown by ``hwprune-edu quiz --list-tags``)
TAGS = {
    "granularity": "unstructured vs structured vs N:M vs block sparsity",
    "2:4": "2:4 sparse tensor cores: the pattern, the metadata, the real speedup",
    "roofline": "roofline model and arithmetic intensity",
    "memory-bound": "memory- vs compute-bound layers, bytes vs FLOPs, energy",
    "tiles": "tile and wave quantisation, hardware-friendly channel counts",
    "apoz": "APoZ and other activation-based criteria",
    "magnitude": "magnitude and loss-based importance criteria",
    "schedule": "iterative prune / fine-tune schedules and masks",
    "lottery-ticket": "the lottery ticket hypothesis and what it does not say",
    "quantisation": "pruning vs quantisation, and combining them",
    "slowdown": "when pruning makes a model slower",
    "removal": "physically removing neurons/channels and the layers they feed",
    "blog-bugs": "the seed blog's two buggy interview answers",
    "hw-in-the-loop": "hardware-aware methods: cost model inside the loop (NetAdapt, AMC, HALP)",
}

BANK = (
    dict(
        id="granularity-dense-zeros",
        tags=("granularity", "slowdown"),
        question=(
            "You zero 90% of a Linear layer's weights by magnitude (unstructured) and keep running it "
            "as an ordinary dense nn.Linear on a GPU (cuBLAS GEMM). How does the layer's latency change?"
        ),
        choices=(
            "About 10x faster: 90% of the multiply-adds are by zero.",
            "Essentially unchanged: a dense kernel multiplies zeros like any other number.",
            "About 2x faster: sparse tensor cores skip the zeros automatically.",
            "Much slower: zeros trigger slow denormal arithmetic on GPUs.",
        ),
        answer=1,
        explanation=(
            "A dense GEMM's work is set by the shapes, not the values: a zero costs the same multiply-add "
            "and the same bytes as any weight. Zeros only pay off when they are stored in a compressed "
            "format AND executed by a kernel or hardware unit that skips them. So unstructured sparsity on "
            "dense hardware is a model-size story (after compression), while structured pruning (smaller "
            "dense matrices) speeds up any hardware."
        ),
        why_wrong=(
            "That counts the FLOPs a sparse kernel could skip; the dense kernel does not skip them. "
            "Unstructured speedups need a sparse format, a sparse kernel and usually high sparsity "
            "(Gale et al. 2020, 'Sparse GPU Kernels for Deep Learning').",
            "",
            "Sparse tensor cores (NVIDIA Ampere and later) accelerate only the 2:4 pattern, and only when the "
            "weights are compressed and a sparse kernel is called (cuSPARSELt, torch's "
            "to_sparse_semi_structured); a dense nn.Linear never uses them.",
            "Zero is not a denormal; exact zeros run at full speed. Nothing changes.",
        ),
    ),
    dict(
        id="granularity-tradeoff",
        tags=("granularity",),
        question="At the same 50% sparsity, which statement about pruning granularity is right?",
        choices=(
            "Finer granularity (unstructured) leaves more freedom and usually keeps more accuracy but is "
            "hard to accelerate; coarser granularity (blocks, channels) is easy to accelerate but usually "
            "costs more accuracy.",
            "Channel pruning keeps more accuracy than unstructured pruning, because it removes whole "
            "redundant filters.",
            "All granularities give the same accuracy at equal sparsity; only the speed differs.",
            "2:4 sparsity is a kind of channel pruning: it removes 2 of every 4 channels.",
        ),
        answer=0,
        explanation=(
            "Every structured mask (channel, block, 2:4) is also an unstructured mask, so the best "
            "unstructured mask keeps at least as much of the importance score as the best structured one. "
            "In exchange, structure maps onto hardware: channels give smaller dense GEMMs, blocks match "
            "tiles that can be skipped, 2:4 matches sparse tensor cores. Mao et al. 2017 measured this "
            "accuracy/regularity trade-off on CNNs; Mishra et al. 2021 show 2:4 plus retraining matches "
            "dense accuracy on many networks, so N:M is a sweet spot where the hardware supports it."
        ),
        why_wrong=(
            "",
            "A channel holds important and unimportant weights together; removing it is a coarser, more "
            "constrained choice, which typically costs more accuracy at equal sparsity (Mao et al. 2017).",
            "Constraints cost accuracy: the more structure a mask must have, the fewer masks are allowed "
            "and the more important weights end up pruned.",
            "2:4 keeps 2 of every 4 consecutive weights inside each row; every row and column of the matrix "
            "stays. Channel pruning removes whole rows (filters).",
        ),
    ),
    dict(
        id="granularity-channel-flops",
        tags=("granularity", "removal"),
        question=(
            "You remove 50% of the output channels of every conv layer of a plain CNN (so each layer also "
            "loses 50% of its input channels). Roughly how much do a middle layer's FLOPs shrink?"
        ),
        choices=("By 50%", "By 25%", "By 75%", "Not at all"),
        answer=2,
        explanation=(
            "A conv layer's FLOPs are about 2 * C_in * C_out * k^2 * H_out * W_out. Halving both C_in and "
            "C_out leaves 1/4 of the FLOPs, a 75% cut. Structured pruning compounds across consecutive "
            "layers; that is also why removing a channel must update the next layer's inputs."
        ),
        why_wrong=(
            "That counts only the layer's own output channels; its input channels were halved too.",
            "Shrinking both factors by half multiplies, it does not add: 0.5 * 0.5 = 0.25 remain.",
            "",
            "Removed channels shrink the dense matrices, so the FLOPs drop on any hardware.",
        ),
    ),
    dict(
        id="granularity-4of8",
        tags=("granularity", "2:4"),
        question="How does 4:8 sparsity compare with 2:4 sparsity?",
        choices=(
            "4:8 is sparser than 2:4.",
            "They allow exactly the same masks.",
            "A100 sparse tensor cores run 4:8 at 4x the dense rate.",
            "Every 2:4 mask is a valid 4:8 mask, so 4:8 is less constrained (better for accuracy), but "
            "Ampere/Hopper sparse tensor cores accelerate 2:4, not 4:8.",
        ),
        answer=3,
        explanation=(
            "Both keep half of the weights. A group of 8 may place its 4 survivors anywhere: C(8,4) = 70 "
            "patterns, versus 6 * 6 = 36 for two 2:4 groups. More freedom means less accuracy loss, but "
            "the hardware implements one pattern (2:4; Mishra et al. 2021), so 4:8 needs custom kernels."
        ),
        why_wrong=(
            "4/8 = 2/4: both are exactly 50% sparse.",
            "4:8 allows 3 survivors in one half and 1 in the other, which 2:4 forbids (70 vs 36 patterns).",
            "Sparse tensor cores give at most 2x math throughput, and only for 2:4.",
            "",
        ),
    ),
    dict(
        id="sparse24-requirements",
        tags=("2:4", "granularity"),
        question=(
            "A weight matrix is 60% sparse, unstructured. What must happen before NVIDIA A100 sparse tensor "
            "cores can give their 2x math speedup on it?"
        ),
        choices=(
            "Nothing: any matrix with at least 50% zeros qualifies.",
            "Sparsity must rise to 75% so the hardware can skip 3 of every 4 weights for 4x.",
            "Every group of 4 consecutive weights (along the reduction dimension) must have at most 2 "
            "non-zeros, so groups with 3 or 4 are pruned further (then fine-tuned), and the matrix is "
            "compressed to kept values plus 2-bit position indices.",
            "The matrix must be converted to CSR format.",
        ),
        answer=2,
        explanation=(
            "Sparse tensor cores are built for one pattern, 2 of every 4 (NVIDIA A100 whitepaper 2020; "
            "Mishra et al. 2021, 'Accelerating Sparse Deep Neural Networks'). The overall sparsity does "
            "not matter, the count per group does: a 60%-sparse random mask almost surely has groups with "
            "3 or 4 survivors. Re-prune to exactly 2:4 (keep the 2 largest per group), fine-tune, compress "
            "(cuSPARSELt or torch.sparse.to_sparse_semi_structured)."
        ),
        why_wrong=(
            "One group of 4 with 3 non-zeros breaks the pattern, whatever the overall sparsity.",
            "The hardware implements only 2:4; a 1:4 (75%) matrix still runs at the 2:4 rate, 2x at most.",
            "",
            "CSR is a general format for cuSPARSE kernels; sparse tensor cores read their own compressed "
            "2:4 layout.",
        ),
    ),
    dict(
        id="sparse24-metadata",
        tags=("2:4", "memory-bound"),
        question=(
            "In the compressed 2:4 format for FP16 weights, each kept value carries a 2-bit index (its "
            "position in the group of 4). What fraction of the dense weight bytes does it occupy?"
        ),
        choices=("50%", "56.25%", "62.5%", "75%"),
        answer=1,
        explanation=(
            "Per group of 4: two 16-bit values (32 bits) + two 2-bit indices (4 bits) = 36 bits, against "
            "64 bits dense: 36/64 = 56.25%. So a memory-bound layer saves at most ~1.78x bytes, not 2x. "
            "For INT8 the metadata weighs more: (2*8 + 4)/32 = 62.5%."
        ),
        why_wrong=(
            "That forgets the metadata: the hardware must know where each kept value belongs.",
            "",
            "That is the INT8 figure: (2*8 + 2*2)/(4*8) = 62.5%.",
            "That would need 4 bits of metadata per kept value; it is 2.",
        ),
    ),
    dict(
        id="sparse24-memory-bound",
        tags=("2:4", "memory-bound", "roofline"),
        question=(
            "A batch-1 FP16 matrix-vector product (one token of LLM decoding) is memory-bound. You switch "
            "its weight to 2:4 sparse tensor cores. What is the layer's best-case speedup?"
        ),
        choices=(
            "2x, because half of the math is skipped.",
            "4x: 2x from the math times 2x from the bytes.",
            "None at all: sparse tensor cores refuse small batches.",
            "About 1.78x at most, and only from moving fewer bytes (compressed weights are 56.25% of "
            "dense); halving the math does not help a memory-bound layer.",
        ),
        answer=3,
        explanation=(
            "On the roofline a memory-bound layer's time is bytes / bandwidth; a faster math unit raises "
            "the flat roof, but the layer sits under the slanted one. What helps is moving fewer bytes: "
            "2:4 FP16 weights take 36/64 of the dense bytes, so time can fall to ~56% (1/0.5625 = 1.78x) if "
            "weight traffic dominates; less when activations or overheads matter."
        ),
        why_wrong=(
            "Halving the math only shortens a compute-bound layer.",
            "Time is set by the bottleneck, not by the product of both savings.",
            "There is no such rule; small batches just make the math speedup useless, the byte saving remains.",
            "",
        ),
    ),
    dict(
        id="roofline-attainable",
        tags=("roofline", "memory-bound"),
        question=(
            "A device peaks at 100 TFLOP/s with 2 TB/s of memory bandwidth. A layer has an arithmetic "
            "intensity of 20 FLOP/byte. By the roofline model, what can it reach at best, and what bounds it?"
        ),
        choices=(
            "100 TFLOP/s, compute-bound.",
            "50 TFLOP/s, memory-bound.",
            "5 TFLOP/s, compute-bound.",
            "40 TFLOP/s, memory-bound.",
        ),
        answer=3,
        explanation=(
            "Roofline (Williams, Waterman & Patterson, CACM 2009): attainable = min(peak, intensity * "
            "bandwidth) = min(100, 20 * 2) = 40 TFLOP/s. The ridge point is peak / bandwidth = 50 FLOP/byte; "
            "at 20 FLOP/byte the layer is left of the ridge: memory-bound."
        ),
        why_wrong=(
            "Only layers at or right of the ridge (50 FLOP/byte here) can reach the peak.",
            "50 is the ridge point, in FLOP/byte, not the attainable rate.",
            "100/20 = 5 divides where the roofline multiplies intensity by bandwidth.",
            "",
        ),
    ),
    dict(
        id="roofline-gemv-intensity",
        tags=("roofline", "memory-bound"),
        question=(
            "What is the arithmetic intensity of y = W x for an FP32 Linear layer with a 1024 x 1024 weight "
            "at batch size 1 (count the weight bytes only)?"
        ),
        choices=("About 0.5 FLOP/byte", "About 2 FLOP/byte", "About 512 FLOP/byte", "About 1024 FLOP/byte"),
        answer=0,
        explanation=(
            "FLOPs = 2 * 1024 * 1024 (a multiply and an add per weight); bytes = 4 * 1024 * 1024 (each FP32 "
            "weight read once). 2/4 = 0.5 FLOP/byte, far left of any modern ridge point (tens to hundreds "
            "of FLOP/byte), so batch-1 Linear layers are memory-bound. With batch B each weight is reused "
            "B times and the intensity grows about B-fold until activations dominate the traffic."
        ),
        why_wrong=(
            "",
            "That inverts it: 4 bytes and 2 FLOPs per weight give 0.5 FLOP/byte, not 2.",
            "That is the order of a large matrix-matrix product that reuses each weight many times; at "
            "batch 1 each weight is used once.",
            "Same mistake: intensity grows with reuse (batch), not with the matrix width.",
        ),
    ),
    dict(
        id="memory-bound-what-helps",
        tags=("memory-bound", "roofline", "slowdown"),
        question="Which pruning most reliably speeds up a memory-bound, batch-1 layer?",
        choices=(
            "50% unstructured sparsity kept in the dense format.",
            "Anything that cuts FLOPs: time is proportional to FLOPs.",
            "Anything that cuts the bytes moved: removing whole neurons (a smaller dense weight), or "
            "compressing sparse weights when the format's index overhead is smaller than the bytes saved.",
            "Pruning the biases.",
        ),
        answer=2,
        explanation=(
            "Memory-bound time is about bytes moved / bandwidth. A smaller dense matrix moves fewer bytes "
            "with no overhead; a compressed sparse format helps only if values + indices are fewer bytes "
            "than the dense tensor (CSR with 32-bit indices breaks even at 50% sparsity for FP32 values, at about "
            "67% for FP16 values)."
        ),
        why_wrong=(
            "Stored densely, the zeros are moved like any other weight: same bytes, same time.",
            "In the memory-bound region time follows bytes, not FLOPs.",
            "",
            "There is one bias per output but one weight per (output, input) pair: biases are a tiny "
            "fraction of the bytes.",
        ),
    ),
    dict(
        id="compute-bound-what-helps",
        tags=("memory-bound", "roofline", "removal"),
        question="A large-batch convolution is compute-bound on the GPU. Which change most directly cuts its time?",
        choices=(
            "Storing its weights in INT4 and dequantising them to FP16 for the math.",
            "Pruning whole output channels so the dense GEMM shrinks, keeping the channel count a "
            "multiple of the kernel's tile.",
            "Huffman-coding its weights.",
            "Doubling the batch size.",
        ),
        answer=1,
        explanation=(
            "Compute-bound time is about FLOPs / peak. Removing channels shrinks the GEMM (this layer's "
            "outputs and the next layer's inputs) on any hardware, and an aligned count avoids paying for "
            "padded tiles."
        ),
        why_wrong=(
            "Weight-only quantisation cuts bytes, which helps memory-bound layers; the math here is still "
            "FP16, plus the dequantisation work.",
            "",
            "Huffman coding saves storage (Deep Compression); the weights are decoded before the math.",
            "A bigger batch is more work per call; it may raise throughput but not cut this layer's time.",
        ),
    ),
    dict(
        id="energy-dram",
        tags=("memory-bound",),
        question=(
            "At 45 nm, a 32-bit DRAM access costs about 640 pJ and a 32-bit float multiply about 3.7 pJ "
            "(Horowitz, ISSCC 2014, as tabulated by Han et al. 2015). What does this imply for the energy "
            "saved by pruning?"
        ),
        choices=(
            "Energy is dominated by arithmetic, so only FLOP reductions matter.",
            "An off-chip access costs over 100x a multiply, so the savings come mostly from fetching fewer "
            "bytes (smaller or compressed weights, ideally small enough to stay on chip).",
            "Memory accesses are free compared with the arithmetic.",
            "Pruning cannot save energy because the hardware stays powered on.",
        ),
        answer=1,
        explanation=(
            "640 / 3.7 is about 170. Han et al. 2015 use this to argue that pruning matters for energy "
            "when the model then fits on-chip SRAM (about 5 pJ per 32-bit access). Pruning that leaves the "
            "bytes unchanged (zeros stored densely) saves almost no energy."
        ),
        why_wrong=(
            "The numbers say the opposite: data movement dominates.",
            "",
            "DRAM access is the most expensive item in the table.",
            "Dynamic energy scales with the work and data movement done; doing less saves energy.",
        ),
    ),
    dict(
        id="tiles-channel-staircase",
        tags=("tiles", "slowdown", "removal"),
        question=(
            "A GEMM kernel produces output channels in tiles of 128. A layer has 768 output channels; pruning "
            "removes 64 of them (to 704). Roughly how does the layer's GPU latency change?"
        ),
        choices=(
            "It falls by about 8% (64/768).",
            "It barely changes: ceil(704/128) = 6 tiles, as many as ceil(768/128) = 6.",
            "It halves.",
            "It rises by about 8%.",
        ),
        answer=1,
        explanation=(
            "Tile quantisation (NVIDIA, 'Matrix Multiplication Background' user guide): work is issued in "
            "whole tiles, so latency is a staircase in the channel count. 704 channels still need 6 tiles, "
            "the last one partly idle; to gain you must step down to 640 (5 tiles). Hardware-aware methods "
            "choose counts on the steps (HALP's latency lookup tables, Torch-Pruning's round_to)."
        ),
        why_wrong=(
            "That assumes latency proportional to FLOPs; the removed channels lived in a tile that still runs.",
            "",
            "Removing 8% of the channels cannot halve the work.",
            "The tile count is unchanged and 704 is still a multiple of 64, so nothing gets worse; it just "
            "does not get better.",
        ),
    ),
    dict(
        id="tiles-wave-quantisation",
        tags=("tiles", "slowdown"),
        question=(
            "A GPU with 108 SMs (an A100) runs one tile per SM at a time. A GEMM has 216 tiles; after pruning "
            "it has 120. Roughly how does its latency change?"
        ),
        choices=(
            "It falls by about 44% (120/216).",
            "It halves exactly.",
            "It barely changes: 216 tiles are 2 full waves and 120 tiles are 1 full wave plus 12 tiles, "
            "still 2 waves.",
            "It doubles.",
        ),
        answer=2,
        explanation=(
            "Wave quantisation (same NVIDIA guide): tiles run in waves of (SMs x tiles per SM); latency is "
            "about waves x time per wave, and a partly filled wave takes as long as a full one. Only at 108 "
            "tiles or fewer does it drop to one wave."
        ),
        why_wrong=(
            "Proportional scaling ignores that a mostly idle second wave still takes a full wave's time.",
            "Halving needs at most 108 tiles (one wave).",
            "",
            "Fewer tiles never need more waves.",
        ),
    ),
    dict(
        id="tiles-alignment-nanogpt",
        tags=("tiles", "slowdown"),
        question=(
            "nanoGPT pads GPT-2's vocabulary from 50257 to 50304 tokens, a bigger output matrix. Why, and "
            "what does it teach about pruning?"
        ),
        choices=(
            "50304 is a multiple of 64: aligned dimensions map onto tensor-core tiles without ragged edges, "
            "so the bigger matrix runs faster. Pruned channel counts should land on such multiples too.",
            "To reserve tokens for future use; there is no performance reason.",
            "GPUs can only multiply matrices whose dimensions are powers of two.",
            "Extra parameters always improve accuracy.",
        ),
        answer=0,
        explanation=(
            "nanoGPT's model.py says the vocab is 'padded up to nearest multiple of 64 for efficiency' "
            "(50304 = 64 * 786). NVIDIA's Deep Learning Performance guide recommends dimensions that are "
            "multiples of 8 for FP16 tensor cores, and larger multiples to fill tiles. More FLOPs can be "
            "faster; fewer can be slower. Prune to hardware-friendly counts."
        ),
        why_wrong=(
            "",
            "The extra rows are never produced by the tokenizer; the stated reason is speed.",
            "Any size works (50304 is not a power of two); misaligned sizes just waste parts of tiles.",
            "The padded tokens never occur in the data; the change is about speed, not accuracy.",
        ),
    ),
    dict(
        id="apoz-definition",
        tags=("apoz",),
        question="APoZ (Hu et al. 2016, 'Network Trimming') scores a neuron by...",
        choices=(
            "the mean magnitude of its incoming weights.",
            "the gradient of the loss with respect to its output.",
            "the percentage of zero weights in its filter.",
            "the Average Percentage of Zeros of its output after the ReLU over a dataset; neurons with "
            "high APoZ are pruned.",
        ),
        answer=3,
        explanation=(
            "APoZ averages, over a validation set (and the spatial positions of a conv channel), how often "
            "the post-ReLU output is exactly zero. It needs data and measures one statistic: a neuron that "
            "is rarely zero but nearly constant is redundant too, and APoZ misses it. In this library "
            "neuron_scores(acts, 'apoz') returns 1 - APoZ (higher = keep)."
        ),
        why_wrong=(
            "That is a weight-magnitude criterion (e.g. Li et al. 2017's L1 filter norm), not activation-based.",
            "Gradient-based saliency is another family (e.g. Molchanov et al. 2017's Taylor criterion).",
            "APoZ counts zeros in activations, not in weights.",
            "",
        ),
    ),
    dict(
        id="apoz-after-relu",
        tags=("apoz",),
        question="Why is APoZ measured after the ReLU rather than on the pre-activation W x + b?",
        choices=(
            "Pre-activations are almost never exactly zero, so APoZ would be about 0 for every neuron and "
            "rank nothing.",
            "The ReLU doubles the number of zeros.",
            "Pre-activations are undefined during inference.",
            "It makes no difference.",
        ),
        answer=0,
        explanation=(
            "APoZ counts exact zeros; the ReLU creates them by mapping every negative pre-activation to 0. "
            "A neuron that is negative on most inputs is mostly silent downstream, which is what APoZ detects."
        ),
        why_wrong=(
            "",
            "The ReLU zeroes every negative value; there is no fixed factor.",
            "Pre-activations are perfectly well defined; they are just rarely exactly 0.",
            "It does: on pre-activations the statistic is almost always 0.",
        ),
    ),
    dict(
        id="apoz-constant-neuron",
        tags=("apoz", "removal"),
        question=(
            "A hidden ReLU neuron j outputs exactly 3.0 for every input in your data (APoZ = 0). Can you "
            "remove it without changing the network's outputs on that data?"
        ),
        choices=(
            "No: APoZ = 0 means it is always active, hence important.",
            "Yes, and nothing else needs to change.",
            "Yes: its effect on the next layer is the constant 3.0 * W_next[:, j]; fold that into the next "
            "layer's bias, then delete the neuron.",
            "Only if its incoming weights are all zero.",
        ),
        answer=2,
        explanation=(
            "A constant carries no information about the input. Fold b_next += 3.0 * W_next[:, j], then "
            "delete row j of W, entry j of b and column j of W_next. So 'fires strongly' (mean |a|) and "
            "'is rarely zero' (APoZ) are both incomplete importance signals; the variance of the activation "
            "catches this case."
        ),
        why_wrong=(
            "Active is not informative: a constant output is a bias in disguise.",
            "Deleting without folding shifts every next-layer pre-activation by 3.0 * W_next[:, j].",
            "",
            "Zero incoming weights with b_j = 3 is one way to get a constant neuron, but any neuron that is "
            "constant on the data can be folded, whatever its weights.",
        ),
    ),
    dict(
        id="magnitude-obd",
        tags=("magnitude",),
        question=(
            "Optimal Brain Damage (LeCun et al. 1990) estimates the loss increase from deleting weight w_i as "
            "1/2 * h_ii * w_i^2 (h_ii: diagonal of the Hessian). When does pruning by |w| alone agree with it?"
        ),
        choices=(
            "Always.",
            "Never: magnitude is unrelated to the loss.",
            "Only for biases.",
            "When h_ii is about the same for the weights being compared, e.g. within one layer whose "
            "inputs have similar scale.",
        ),
        answer=3,
        explanation=(
            "OBD expands the loss to second order around a trained minimum (gradient about 0) with a diagonal "
            "Hessian. With constant h_ii, ranking by h_ii * w^2 is ranking by |w|. That is why magnitude "
            "pruning works within a layer, and why comparing magnitudes across layers is riskier. Optimal "
            "Brain Surgeon (Hassibi & Stork 1993) drops the diagonal assumption and updates the other weights."
        ),
        why_wrong=(
            "A small weight on a high-curvature direction can matter more than a large one on a flat direction.",
            "Magnitude is exactly the constant-curvature special case of OBD's loss-based saliency.",
            "OBD scores every parameter; biases are usually not pruned at all.",
            "",
        ),
    ),
    dict(
        id="magnitude-batchnorm",
        tags=("magnitude",),
        question=(
            "A conv filter is followed by BatchNorm (using batch statistics). You multiply that filter's "
            "weights by 10. What happens to the BN layer's output?"
        ),
        choices=(
            "It is multiplied by 10.",
            "It is divided by 10.",
            "It is unchanged (up to BN's epsilon): BN divides by the channel's standard deviation, so the "
            "filter's norm says nothing about its importance.",
            "The channel becomes 10x more important for the loss.",
        ),
        answer=2,
        explanation=(
            "BN computes (x - mean) / std per channel; scaling the filter scales x, its mean and its std "
            "alike. So L1/L2 filter norms are arbitrary before BN. Network Slimming (Liu et al. 2017) "
            "prunes channels by the BN scale gamma instead, trained with an L1 penalty on gamma."
        ),
        why_wrong=(
            "The scale is removed by the normalisation.",
            "Same: the normalisation cancels any scale.",
            "",
            "The function is unchanged, so the channel's effect on the loss is unchanged.",
        ),
    ),
    dict(
        id="magnitude-global-collapse",
        tags=("magnitude",),
        question=(
            "You prune 90% of all weights with one global magnitude threshold across all layers. Which risk "
            "is specific to the global variant?"
        ),
        choices=(
            "None: global thresholds are always better than per-layer ones.",
            "Layers with small-scale weights (e.g. wide layers, initialised with std proportional to "
            "1/sqrt(fan_in)) can lose almost all, even all, of their weights, disconnecting the network.",
            "It prunes the biases first.",
            "It makes every layer exactly 90% sparse.",
        ),
        answer=1,
        explanation=(
            "A global threshold compares magnitudes across layers of different scale, so large fan-in layers "
            "are pruned much harder. Tanaka et al. 2020 (SynFlow) call the extreme case layer collapse. "
            "Per-layer quotas or scale-aware criteria avoid it; hardware-aware methods set the per-layer "
            "amounts from the cost model."
        ),
        why_wrong=(
            "Global often beats uniform per-layer pruning at the same total sparsity, but not always, and it "
            "risks collapse.",
            "",
            "Biases are usually excluded from pruning.",
            "That is uniform per-layer pruning; a global threshold gives each layer whatever sparsity it implies.",
        ),
    ),
    dict(
        id="schedule-cubic",
        tags=("schedule",),
        question=(
            "Zhu & Gupta 2017 ('To prune, or not to prune') raise sparsity during training as "
            "s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3. What does this schedule do?"
        ),
        choices=(
            "Prunes slowly at first and quickly at the end.",
            "Prunes quickly at first, while many weights are redundant, and slowly near the end, when each "
            "remaining weight matters more.",
            "Prunes at a constant rate.",
            "Prunes everything at step t0, then fine-tunes.",
        ),
        answer=1,
        explanation=(
            "The slope of (1 - tau)^3 is steepest at tau = 0 and zero at tau = 1. Pruning interleaved with "
            "training lets the network recover between steps; Zhu & Gupta found large-sparse models beat "
            "small-dense ones of the same size."
        ),
        why_wrong=(
            "That is the opposite: the cubic's slope is largest at the start.",
            "",
            "A constant rate would be a linear ramp.",
            "That is one-shot pruning followed by fine-tuning.",
        ),
    ),
    dict(
        id="schedule-iterative",
        tags=("schedule",),
        question=(
            "Why does iterative pruning (prune a little, fine-tune, repeat; Han et al. 2015) usually beat "
            "one-shot pruning to the same high sparsity?"
        ),
        choices=(
            "It prunes more weights in total.",
            "Fine-tuning restores the pruned weights.",
            "It does not: one-shot is always as good.",
            "After each step the surviving weights adapt to compensate, and importance is re-scored on the "
            "adapted network, so later decisions use better information.",
        ),
        answer=3,
        explanation=(
            "Han et al. 2015 ('Learning both Weights and Connections for Efficient Neural Networks') cut "
            "AlexNet's parameters 9x and VGG-16's 13x without accuracy loss by iterating prune and retrain. "
            "One-shot pruning to 90% removes many weights that only look unimportant in the dense network. "
            "The price is training time."
        ),
        why_wrong=(
            "The final sparsity is the same by construction.",
            "The pruned weights stay zero (the mask is kept); the survivors change.",
            "At high sparsity the gap is large (Han et al. 2015).",
            "",
        ),
    ),
    dict(
        id="schedule-keep-mask",
        tags=("schedule", "blog-bugs"),
        question=(
            "You zero the small weights, then fine-tune with ordinary optimizer steps on the dense weight "
            "tensor, without a mask. What happens?"
        ),
        choices=(
            "The zeros stay zero because their gradient is zero.",
            "The optimizer deletes the zero weights from the tensor.",
            "Training diverges.",
            "The pruned weights get non-zero gradients and grow back; you must keep the mask and re-apply it "
            "(torch.nn.utils.prune stores weight_orig and weight_mask and uses weight_orig * weight_mask).",
        ),
        answer=3,
        explanation=(
            "For y = W x, dL/dW_ij = dL/dy_i * x_j, which does not depend on W_ij being zero; momentum and "
            "weight decay do not keep it at zero either. That is also why the blog's weight_pruning, which "
            "returns no mask, cannot support fine-tuning."
        ),
        why_wrong=(
            "dL/dW_ij = dL/dy_i * x_j is independent of W_ij: zero weights get ordinary gradients.",
            "Tensors keep their shape; nothing is deleted.",
            "Training proceeds normally; it just undoes the pruning.",
            "",
        ),
    ),
    dict(
        id="lottery-ticket-claim",
        tags=("lottery-ticket",),
        question="What did Frankle & Carbin (ICLR 2019) show about 'winning tickets'?",
        choices=(
            "Any random sparse subnetwork trains as well as the dense network.",
            "Iterative magnitude pruning finds sparse subnetworks that, reset to their original initial "
            "weights and trained alone, match the dense network's accuracy; the same subnetworks randomly "
            "re-initialised do worse.",
            "Pruned networks train faster on GPUs.",
            "Pruning at initialisation, with no training at all, finds winning tickets.",
        ),
        answer=1,
        explanation=(
            "The control experiment is the point: structure + original init = ticket; structure + new random "
            "init = worse. The original results were on MNIST and CIFAR-10 networks; for deeper ones on ImageNet "
            "Frankle et al. 2020 "
            "('Linear Mode Connectivity and the Lottery Ticket Hypothesis') had to rewind to an early "
            "training iteration instead of the init. Finding a ticket costs several full train-prune cycles: "
            "an insight into trainability, not a cheap compression method."
        ),
        why_wrong=(
            "Randomly re-initialising the ticket's structure is exactly the control that trained worse.",
            "",
            "Tickets are unstructured masks; on dense hardware they are not faster.",
            "Tickets were found by repeated train, prune, rewind; pruning at init (SNIP, GraSP, SynFlow) is "
            "later, separate work.",
        ),
    ),
    dict(
        id="lottery-ticket-speed",
        tags=("lottery-ticket", "slowdown", "granularity"),
        question=(
            "A colleague says: 'We found a 90%-sparse lottery ticket, so inference will be 10x faster.' "
            "What is the best reply?"
        ),
        choices=(
            "Agreed: 10x fewer weights means 10x faster.",
            "Lottery tickets are structured by construction, so 10x is realistic.",
            "On sparse tensor cores 90% sparsity always gives exactly 10x.",
            "The ticket is an unstructured mask: it runs at dense speed unless stored in a sparse format and "
            "run by a sparse kernel, and even then the gain depends on format overhead and on the layer "
            "being memory- or compute-bound. Measure it on the target.",
        ),
        answer=3,
        explanation=(
            "Parameter count is not latency. The ticket's value is scientific (sparse trainable subnetworks "
            "exist); turning it into speed is a separate, hardware-dependent problem."
        ),
        why_wrong=(
            "Zeros stored densely are computed like any other weight.",
            "Iterative magnitude pruning removes individual weights: unstructured.",
            "Sparse tensor cores need the 2:4 pattern and give at most 2x math.",
            "",
        ),
    ),
    dict(
        id="lottery-rethinking",
        tags=("lottery-ticket", "removal"),
        question=(
            "Liu et al. (ICLR 2019, 'Rethinking the Value of Network Pruning') found for many structured "
            "(channel) pruning methods that..."
        ),
        choices=(
            "pruned architectures cannot be trained from scratch.",
            "training the pruned architecture from a random init reaches about the same accuracy as "
            "fine-tuning the inherited weights: the value is in the architecture (the per-layer widths).",
            "structured pruning always beats unstructured pruning in accuracy.",
            "the inherited weights are essential for every method.",
        ),
        answer=1,
        explanation=(
            "With a long enough training budget, the pruned widths trained from scratch matched or beat "
            "prune-and-fine-tune. For hardware-aware pruning that means the key output is the per-layer "
            "width choice, which is exactly what a cost model in the loop should steer."
        ),
        why_wrong=(
            "They trained pruned architectures from scratch, and it worked.",
            "",
            "That was not their finding; at equal sparsity unstructured pruning usually keeps more accuracy.",
            "Their finding is the opposite for structured pruning.",
        ),
    ),
    dict(
        id="quantisation-vs-csr-bytes",
        tags=("quantisation", "memory-bound", "slowdown"),
        question=(
            "Batch-1 FP16 inference, memory-bound. Option A: 50% unstructured pruning stored as CSR (FP16 "
            "values, int32 column indices). Option B: INT8 weight quantisation. Which moves fewer weight bytes?"
        ),
        choices=(
            "A: half of the weights are gone.",
            "They move the same bytes.",
            "B: INT8 is 1 byte per weight with no index overhead; CSR at 50% costs 0.5 * (2 + 4) = 3 bytes "
            "per original weight, more than dense FP16's 2.",
            "Neither changes the bytes.",
        ),
        answer=2,
        explanation=(
            "CSR stores a value and a column index per non-zero, plus a row pointer per row. With int32 "
            "indices, FP16 CSR beats dense FP16 only below 1/3 density (above ~67% sparsity). Quantisation "
            "shrinks regular dense tensors and runs on INT8 units, so it is often tried first; the two "
            "combine (Deep Compression, Han et al. 2016: pruning + quantisation + Huffman, 35x on AlexNet, "
            "49x on VGG-16)."
        ),
        why_wrong=(
            "It forgets the indices, which cost more than the dropped values here.",
            "B moves 1 byte per weight, A moves 3.",
            "",
            "Both change the bytes, in opposite directions relative to dense FP16.",
        ),
    ),
    dict(
        id="quantisation-vs-pruning",
        tags=("quantisation", "granularity"),
        question="Which statement about pruning vs quantisation is correct?",
        choices=(
            "Quantisation removes the weights below a threshold.",
            "Quantisation lowers the bits per weight and keeps every weight and the dense shapes; pruning "
            "lowers the number of weights (or structures). They are complementary and often combined.",
            "They cannot be combined.",
            "Quantisation shrinks the model file but never cuts latency.",
        ),
        answer=1,
        explanation=(
            "Quantisation keeps the regular dense layout that hardware likes, which is why INT8 is usually "
            "the first compression tried; pruning changes which weights exist. Combined: Deep Compression "
            "(Han et al. 2016), and 2:4 sparsity with INT8 on sparse tensor cores."
        ),
        why_wrong=(
            "That describes magnitude pruning.",
            "",
            "Deep Compression combined them; sparse tensor cores support 2:4 with INT8.",
            "INT8 kernels (tensor cores, CPU VNNI instructions) do more operations per cycle and move fewer bytes.",
        ),
    ),
    dict(
        id="slowdown-csr-break-even",
        tags=("slowdown", "memory-bound"),
        question=(
            "A weight matrix is stored in CSR with FP32 values and int32 column indices (ignore the row "
            "pointers). Below what density does CSR use fewer bytes than the dense FP32 matrix?"
        ),
        choices=("50%", "90%", "25%", "At any density"),
        answer=0,
        explanation=(
            "Each non-zero costs 4 + 4 = 8 bytes against 4 bytes per dense entry, so density must be below "
            "4/8. That is the byte break-even only: sparse kernels also do indirect, irregular memory accesses "
            "and vectorise poorly, so the speed break-even is usually at much lower density."
        ),
        why_wrong=(
            "",
            "At 90% density CSR costs 0.9 * 8 = 7.2 bytes per entry, far more than 4.",
            "CSR already wins below 50%; 25% is not the break-even point.",
            "At high density the indices make CSR larger than dense.",
        ),
    ),
    dict(
        id="slowdown-which-slower",
        tags=("slowdown", "granularity"),
        question="Which of these pruning results can easily make inference SLOWER than the dense model?",
        choices=(
            "Removing whole output channels down to a multiple of the tile size.",
            "Exact 2:4 sparsity run by a sparse tensor-core kernel on a compute-bound layer.",
            "Removing an entire redundant layer.",
            "50% unstructured sparsity converted to CSR and run with a general sparse kernel.",
        ),
        answer=3,
        explanation=(
            "General sparse kernels spend work on index lookups and irregular memory accesses and use the "
            "vector units poorly; at moderate sparsity a tuned dense GEMM wins. Other ways pruning slows a "
            "model: channel counts just off a tile boundary or off multiples of 8, sparse formats converted "
            "at run time, extra gather/scatter ops when coupled layers are pruned inconsistently."
        ),
        why_wrong=(
            "Smaller, aligned dense matrices are faster on any hardware.",
            "That is what sparse tensor cores are built for; compute-bound layers approach the 2x math speedup.",
            "Removing a layer removes all of its cost.",
            "",
        ),
    ),
    dict(
        id="removal-next-layer",
        tags=("removal", "blog-bugs"),
        question="You remove neuron j of hidden layer l of an MLP (W_l has shape (out, in)). What must change?",
        choices=(
            "Row j of W_l and entry j of b_l only.",
            "Column j of W_l only.",
            "Row j of W_l, entry j of b_l, and column j of W_{l+1}.",
            "Nothing is removed: set row j of W_l to zero instead.",
        ),
        answer=2,
        explanation=(
            "Output j of layer l is input j of layer l+1. Remove the row and the bias entry, and the next "
            "layer loses the matching column, or the shapes stop matching. "
            "hwprune_edu.pruning.remove_neurons does all three. Zeroing row j and b_l[j] computes the same "
            "function but keeps the dense shapes, so nothing gets faster."
        ),
        why_wrong=(
            "Then W_{l+1} @ h fails: h has one entry fewer than W_{l+1} has columns.",
            "Columns of W_l are layer l's inputs (from layer l-1), not its neurons.",
            "",
            "Zeroing keeps the shapes, so no speedup; and zeroing the row without the bias leaves the "
            "neuron outputting the constant ReLU(b_j).",
        ),
    ),
    dict(
        id="removal-flatten",
        tags=("removal",),
        question=(
            "A conv layer outputs 64 channels of 7 x 7, flattened (PyTorch's channel, height, width order) "
            "into Linear(3136, 10). You remove one conv output channel. How many input columns of the Linear "
            "layer must go?"
        ),
        choices=("1", "7", "64", "49"),
        answer=3,
        explanation=(
            "Flatten lays each channel's 7 x 7 = 49 values out contiguously: channel c owns columns 49c to "
            "49c + 48. Tools such as Torch-Pruning (DepGraph, Fang et al. CVPR 2023) track these couplings "
            "automatically."
        ),
        why_wrong=(
            "One channel is 49 flattened values, not one.",
            "7 is one row of the feature map.",
            "64 is the number of channels.",
            "",
        ),
    ),
    dict(
        id="removal-residual-coupling",
        tags=("removal",),
        question=(
            "In a ResNet stage, each block computes x + F(x). You want to prune output channels of the last "
            "conv of F in one block. What is required?"
        ),
        choices=(
            "The same channel indices must be pruned in every tensor joined by the additions (the shortcut, "
            "the other blocks' last convs and BNs, and the inputs of the layers that read the sum).",
            "Nothing special: prune that conv alone.",
            "The residual connection must be deleted.",
            "Only the following BatchNorm needs pruning.",
        ),
        answer=0,
        explanation=(
            "An element-wise add needs matching channels, so layers coupled by adds form a group pruned with "
            "one shared index set; DepGraph (Fang et al. 2023) builds these groups. Many methods simply leave "
            "the residual width alone and prune the widths inside the blocks."
        ),
        why_wrong=(
            "",
            "Then x + F(x) adds tensors with different channel counts.",
            "Deleting shortcuts changes the architecture and hurts trainability.",
            "The BN is one member of the coupled group, not all of it.",
        ),
    ),
    dict(
        id="blog-weight-pruning-ragged",
        tags=("blog-bugs",),
        question=(
            "The blog's weight_pruning loops over a 3 x 3 weight matrix and, row by row, appends only the "
            "weights with |w| > threshold. What does it return?"
        ),
        choices=(
            "A 3 x 3 matrix with zeros in place of the small weights, which is correct.",
            "A 3 x 2 matrix with one neuron removed.",
            "Ragged lists (rows of different lengths) with the small weights' positions lost: the layer can "
            "no longer multiply its input, and there is no mask for fine-tuning.",
            "An error: np.abs does not accept floats.",
        ),
        answer=2,
        explanation=(
            "Dropping elements is neither unstructured pruning (keep the shape, write zeros, keep a mask) nor "
            "neuron removal (drop whole rows and the next layer's columns). "
            "hwprune_edu.interview.weight_pruning keeps the shapes and returns the masks."
        ),
        why_wrong=(
            "That is what it should return; it builds lists of survivors instead.",
            "Each row drops a different number of elements, so there is no consistent smaller matrix.",
            "",
            "The code runs; it silently returns a broken structure.",
        ),
    ),
    dict(
        id="blog-activation-layer-mean",
        tags=("blog-bugs", "apoz", "removal"),
        question=(
            "The blog's activation_pruning keeps weight j of layer i when np.mean(activations[i]) > threshold. "
            "What is wrong?"
        ),
        choices=(
            "Nothing: it prunes rarely activated neurons.",
            "It should use np.median instead of np.mean.",
            "It should compare the activations with the weights.",
            "The test does not depend on j, so all of layer i is kept or dropped at once, by a mean of "
            "signed values that can cancel; it needs one score per neuron (mean |a| of column j, or APoZ), "
            "and removing a neuron must also remove the next layer's input column.",
        ),
        answer=3,
        explanation=(
            "Activation pruning is neuron pruning: score each neuron over the samples, then remove its row, "
            "its bias and the next layer's column. hwprune_edu.interview.activation_pruning does that with "
            "neuron_scores and remove_neurons."
        ),
        why_wrong=(
            "A per-layer average cannot tell which neurons are rarely activated.",
            "A per-layer median has the same problem: it is still one number per layer.",
            "Activations and weights have different units and roles; the score is about the activations.",
            "",
        ),
    ),
    dict(
        id="hw-netadapt",
        tags=("hw-in-the-loop",),
        question="What makes NetAdapt (Yang et al., ECCV 2018) hardware-aware?",
        choices=(
            "It minimises FLOPs.",
            "It simulates the hardware once, after pruning is finished.",
            "Latency measured on the target device (per-layer lookup tables) is inside its loop: each "
            "iteration proposes, per layer, the smallest pruning that meets a latency-reduction target, "
            "fine-tunes each proposal briefly, and keeps the most accurate.",
            "It replaces pruning with quantisation.",
        ),
        answer=2,
        explanation=(
            "The optimised cost is measured on the platform, not a proxy, and the budget shrinks step by step "
            "with a long fine-tune at the end. A cost that only reports a result after pruning (the blog's "
            "'hardware simulation' step) cannot steer which or how many channels are pruned."
        ),
        why_wrong=(
            "FLOPs is the proxy NetAdapt was designed to replace with direct latency measurements.",
            "A final evaluation cannot influence the pruning decisions.",
            "",
            "NetAdapt prunes filters; it does not quantise.",
        ),
    ),
    dict(
        id="hw-halp",
        tags=("hw-in-the-loop", "tiles"),
        question="HALP (Shen et al., NeurIPS 2022) prunes channels under a latency budget. How does it choose?",
        choices=(
            "It keeps the channels with the largest L2 norm until the FLOPs fit the budget.",
            "It searches architectures at random.",
            "It removes whole layers until the budget is met.",
            "It solves a knapsack: maximise the total importance of the kept channels subject to the sum of "
            "per-layer latencies, read from lookup tables indexed by channel count on the target GPU, staying "
            "within the budget.",
        ),
        answer=3,
        explanation=(
            "Because latency is a staircase in the channel count (tile quantisation), the lookup table "
            "knows that 704 channels cost as much as 768; the knapsack then prefers configurations on the "
            "steps ('Structural Pruning via Latency-Saliency Knapsack')."
        ),
        why_wrong=(
            "FLOPs miss the latency staircase; HALP's budget is latency from measured tables.",
            "HALP is a constrained optimisation, not a random search.",
            "It prunes channels; layers stay.",
            "",
        ),
    ),
    dict(
        id="hw-flops-proxy",
        tags=("hw-in-the-loop", "roofline"),
        question="Why are FLOPs a poor proxy for latency when pruning?",
        choices=(
            "FLOPs ignore memory traffic, parallelism, kernel launch overheads and tile/wave quantisation, so "
            "models with equal FLOPs can run at very different speeds (Ma et al. 2018, ShuffleNet V2).",
            "FLOPs overestimate latency by exactly 2x.",
            "FLOPs predict latency perfectly on GPUs, just not on CPUs.",
            "FLOPs are only defined for convolutions.",
        ),
        answer=0,
        explanation=(
            "ShuffleNet V2 showed networks with similar FLOPs differing in speed and derived guidelines from "
            "memory access cost and parallelism. The roofline says why: memory-bound layers follow bytes, "
            "not FLOPs. Hardware-aware pruning measures or models latency on the target instead."
        ),
        why_wrong=(
            "",
            "There is no constant factor; the relation depends on the layer and the device.",
            "GPUs are where the gap is often largest (tiles, waves, launch overheads).",
            "Any layer has a FLOP count; the problem is what FLOPs leave out.",
        ),
    ),
    dict(
        id="hw-blog-simulation-last",
        tags=("hw-in-the-loop", "blog-bugs"),
        question=(
            "The blog's recipe ends with 'hardware simulation: after pruning, simulate the network on the "
            "target hardware to evaluate the effect'. Why is that not yet hardware-aware pruning?"
        ),
        choices=(
            "Simulation is too slow to be useful.",
            "Hardware cannot be simulated.",
            "The hardware cost never influences which weights or channels are pruned, or how many per layer; "
            "hardware-aware methods put the cost model (measured tables or a simulator) inside the decision, "
            "as a constraint or a reward (NetAdapt, AMC, HALP).",
            "It is hardware-aware: evaluating on the target is enough.",
        ),
        answer=2,
        explanation=(
            "Evaluation after the fact can only accept or reject a result. In AMC (He et al., ECCV 2018) a "
            "reinforcement-learning agent picks per-layer sparsity under a FLOPs or latency constraint; in "
            "NetAdapt and HALP measured latency tables drive each step. The loop is: cost model -> choose "
            "what to prune -> prune -> fine-tune -> repeat."
        ),
        why_wrong=(
            "Cost models are usually cheap (lookup tables, analytic models); speed is not the issue.",
            "Simulators and analytic models exist (SCALE-Sim, Timeloop, roofline models).",
            "",
            "Evaluation does not steer the pruning, so the pruned model may gain nothing on that hardware.",
        ),
    ),
)
