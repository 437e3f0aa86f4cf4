"""PyTorch reference of the CSC loss (DESIGN.md, Xia et al. 2023), used to write test fixtures.

tau_ij = cos(v_i, a_j) + theta (cos detached; tau = theta when calibrated is False)
S_ij = vhat_i . zhat_j,  P_ij = softmax_j(S_ij / tau_ij)
L = mean_i[ -sum_j M_ij log(P_ij + 1e-10) / sum_j M_ij ],  M_ij = [y_i == y_j]
xhat = x / max(||x||, 1e-12) (F.normalize), so an all-zero row (a silent video's teacher feature) is legal.
"""
import torch
import torch.nn.functional as F


NORM_EPS = 1e-12


def csc_loss(v, z, a_sel, labels, theta, calibrated=True):
    v_hat = F.normalize(v, dim=1, eps=NORM_EPS)
    z_hat = F.normalize(z, dim=1, eps=NORM_EPS)
    if calibrated:
        tau = (v_hat @ F.normalize(a_sel, dim=1, eps=NORM_EPS).t()).detach() + theta
    else:
        tau = torch.full((v.shape[0], v.shape[0]), float(theta), dtype=v.dtype)
    logits = (v_hat @ z_hat.t()) / tau
    p = torch.softmax(logits, dim=1)
    mask = (labels.view(-1, 1) == labels.view(1, -1)).to(v.dtype)
    per_row = -(mask * torch.log(p + 1e-10)).sum(dim=1) / mask.sum(dim=1)
    return per_row.mean()
