"""Contrastive losses from scratch: InfoNCE, NT-Xent (SimCLR), CLIP's symmetric loss and
supervised contrastive loss (SupCon), for docs/beyond/contrastive.md.

Signatures follow the references they are tested against (tests/test_from_scratch_contrastive.py):
- info_nce_loss(query, key, temperature, reduction): F.cross_entropy(query @ key.T / temperature,
  arange(N), reduction=reduction);
- nt_xent_loss(embeddings, labels, temperature) and supcon_loss(embeddings, labels, temperature):
  pytorch_metric_learning's NTXentLoss(temperature)(embeddings, labels) and
  SupConLoss(temperature)(embeddings, labels) with their default distance (cosine similarity) and
  reducers; the library's other options (indices_tuple, ref_emb, miners, reducers, distances)
  are left out;
- clip_loss(image_features, text_features, logit_scale): open_clip's ClipLoss forward on one
  process (features already normalised by the model, logit_scale already exponentiated).
Built from matmul, normalisation, logsumexp, masks and means; autograd differentiates them.
No library is imported here: the tests compare against them.

The ``# --8<--`` markers cut sections that the page includes.
"""

import torch

# --8<-- [start:info-nce]
REDUCTIONS = ("none", "mean", "sum")


def info_nce_loss(query, key, temperature=0.1, reduction="mean"):
    """InfoNCE: query i's positive is key i; every other key is a negative. key may have
    more rows than query (extra negatives, as in a MoCo queue). No normalisation here:
    pass unit vectors for cosine similarities."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    N, M = query.shape[0], key.shape[0]
    if M < N:  # as cross_entropy with targets arange(N) over M classes
        raise IndexError(f"Target {M} is out of bounds.")
    s = query @ key.T / temperature                 # s_ij, shape (N, M)
    l = torch.logsumexp(s, dim=1) - s.diagonal()    # l_i = -log softmax(s_i)_i
    if reduction == "none":
        return l
    return l.sum() if reduction == "sum" else l.mean()  # mean of nothing: nan
# --8<-- [end:info-nce]


# --8<-- [start:pairs]
def _unit_rows(embeddings):
    """Each row divided by its L2 norm (at least 1e-12), as F.normalize(dim=1)."""
    norm = torch.linalg.vector_norm(embeddings, dim=1, keepdim=True)
    return embeddings / norm.clamp(min=1e-12)


def _check_labels(embeddings, labels):
    if embeddings.shape[0] != labels.shape[0]:
        raise ValueError("Number of embeddings must equal number of labels")
    if labels.ndim != 1:
        raise ValueError("labels must be a 1D tensor of shape (batch_size,)")


def _masks(labels):
    """positive[a, p]: same label, a != p; negative[a, n]: different labels."""
    same = labels[:, None] == labels[None, :]
    self_pairs = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    return same & ~self_pairs, ~same, self_pairs
# --8<-- [end:pairs]


# --8<-- [start:nt-xent]
def nt_xent_loss(embeddings, labels, temperature=0.07):
    """One term per positive pair (a, p): -log of exp(s_ap) over exp(s_ap) plus the sum of
    exp(s_an) over a's negatives n (other positives of a are left out); the mean over all
    positive pairs. s = cosine similarity / temperature. No pair or no negative: 0."""
    _check_labels(embeddings, labels)
    positive, negative, _ = _masks(labels)
    if not positive.any() or not negative.any():
        return (embeddings * 0).sum()                 # a zero that keeps the graph
    z = _unit_rows(embeddings)
    s = z @ z.T / temperature
    a, p = positive.nonzero(as_tuple=True)            # every ordered positive pair
    s_ap = s[a, p]
    s_an = s[a].masked_fill(~negative[a], float("-inf"))
    l = torch.logsumexp(torch.cat([s_ap[:, None], s_an], dim=1), dim=1) - s_ap
    return l.mean()
# --8<-- [end:nt-xent]


# --8<-- [start:supcon]
def supcon_loss(embeddings, labels, temperature=0.1):
    """L_out of Khosla et al. (2020): for anchor i, minus the mean over its positives p of
    log(exp(s_ip) / sum_{a != i} exp(s_ia)); then the mean over the anchors whose loss is
    above 0 (anchors without a positive give 0 and are left out)."""
    _check_labels(embeddings, labels)
    positive, negative, self_pairs = _masks(labels)
    if not positive.any() or not negative.any():
        return (embeddings * 0).sum()
    z = _unit_rows(embeddings)
    s = z @ z.T / temperature
    s = s - s.amax(dim=1, keepdim=True).detach()      # the same log-probabilities, no overflow
    log_prob = s - torch.logsumexp(s.masked_fill(self_pairs, float("-inf")), dim=1,
                                   keepdim=True)
    n_pos = positive.sum(dim=1)
    l = -torch.where(positive, log_prob, 0).sum(dim=1) / n_pos.clamp(min=1)
    kept = l > 0
    return l[kept].mean() if kept.any() else (embeddings * 0).sum()
# --8<-- [end:supcon]


# --8<-- [start:clip]
def clip_loss(image_features, text_features, logit_scale):
    """CLIP: the mean of cross-entropy over image->text logits (rows) and text->image logits
    (columns); pair i is the positive of both. Features are expected unit-norm;
    logit_scale = exp(t), the inverse temperature."""
    if image_features.shape[0] != text_features.shape[0]:
        raise ValueError(f"image_features and text_features must have the same batch size, "
                         f"got {image_features.shape[0]} and {text_features.shape[0]}")
    logits = logit_scale * image_features @ text_features.T   # logits_per_image, (N, N)
    matched = logits.diagonal()
    image_to_text = torch.logsumexp(logits, dim=1) - matched  # row i: image i among texts
    text_to_image = torch.logsumexp(logits, dim=0) - matched  # column i: text i among images
    return (image_to_text.mean() + text_to_image.mean()) / 2
# --8<-- [end:clip]
