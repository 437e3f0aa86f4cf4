"""PyTorch reference of the student R(2+1)D, the MNF and the training step (DESIGN.md).

Mirrors src/models/ and src/train/step.ts module for module; state_dict keys equal the TS
weight names. Layout conversion (done by to_ts / from_ts, used by the fixture writer): conv
weights OIDHW -> DHWIO (permute 2,3,4,1,0), every 2-D weight (nn.Linear, in_proj_weight)
(out, in) -> (in, out); activations NCDHW here, NDHWC in TS.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_csc import csc_loss


def mid_channels(t, d, cin, cout):
    return (t * d * d * cin * cout) // (d * d * cin + t * cout)


def stage_channels(width, feature_dim):
    return [max(1, round(64 * width)), max(1, round(128 * width)), max(1, round(256 * width)), feature_dim]


class Conv2Plus1D(nn.Module):
    def __init__(self, cin, cout, stride, t=3, d=3):
        super().__init__()
        mid = mid_channels(t, d, cin, cout)
        self.spatial = nn.Conv3d(cin, mid, (1, d, d), (1, stride, stride), (0, d // 2, d // 2), bias=False)
        self.bn = nn.BatchNorm3d(mid)
        self.temporal = nn.Conv3d(mid, cout, (t, 1, 1), (stride, 1, 1), (t // 2, 0, 0), bias=False)

    def forward(self, x):
        return self.temporal(F.relu(self.bn(self.spatial(x))))


class Downsample(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, 1, stride, bias=False)
        self.bn = nn.BatchNorm3d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = Conv2Plus1D(cin, cout, stride)
        self.bn1 = nn.BatchNorm3d(cout)
        self.conv2 = Conv2Plus1D(cout, cout, 1)
        self.bn2 = nn.BatchNorm3d(cout)
        self.downsample = Downsample(cin, cout, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class Stem(nn.Module):
    """(3,7,7)/s(1,2,2) factorised as (2+1)D, mid channels by the formula (Hara et al.'s resnet2p1d)."""

    def __init__(self, cout):
        super().__init__()
        mid = mid_channels(3, 7, 3, cout)
        self.spatial = nn.Conv3d(3, mid, (1, 7, 7), (1, 2, 2), (0, 3, 3), bias=False)
        self.bn_spatial = nn.BatchNorm3d(mid)
        self.temporal = nn.Conv3d(mid, cout, (3, 1, 1), 1, (1, 0, 0), bias=False)
        self.bn = nn.BatchNorm3d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.temporal(F.relu(self.bn_spatial(self.spatial(x))))))


class R2Plus1D(nn.Module):
    def __init__(self, width, feature_dim, layers, num_classes):
        super().__init__()
        channels = stage_channels(width, feature_dim)
        self.stem = Stem(channels[0])
        cin = channels[0]
        for i, (cout, blocks) in enumerate(zip(channels, layers)):
            stage = []
            for j in range(blocks):
                stage.append(BasicBlock(cin if j == 0 else cout, cout, 2 if j == 0 and i > 0 else 1))
                cin = cout
            setattr(self, f"layer{i + 1}", nn.Sequential(*stage))
        self.fc = nn.Linear(feature_dim, num_classes)

    def forward(self, x):
        """x: (B, 3, T, H, W) -> feature map (B, N, D), pooled (B, D), logits."""
        y = self.stem(x)
        for i in range(4):
            y = getattr(self, f"layer{i + 1}")(y)
        feature_map = y.flatten(2).transpose(1, 2)
        pooled = feature_map.mean(1)
        return feature_map, pooled, self.fc(pooled)


class Gate(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(2 * d, d // 2)
        self.bn = nn.BatchNorm1d(d // 2)
        self.fc2 = nn.Linear(d // 2, d)

    def forward(self, x):
        return torch.sigmoid(self.fc2(F.relu(self.bn(self.fc1(x)))))


class Proj(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.bn = nn.BatchNorm1d(d)

    def forward(self, x):
        return F.relu(self.bn(self.fc(x)))


class MNF(nn.Module):
    def __init__(self, d, num_classes, heads=2):
        super().__init__()
        self.gate = Gate(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.proj = Proj(d)
        self.classifier = nn.Linear(d, num_classes)

    def forward(self, feature_map, a):
        g = self.gate(torch.cat([a, feature_map.mean(1)], 1))
        a_tilde = g * a
        out, weights = self.attn(a_tilde.unsqueeze(1), feature_map, feature_map, need_weights=True)
        z = self.proj(out.squeeze(1))
        return {"logits": self.classifier(z), "z": z, "a_tilde": a_tilde, "gate": g, "attention": weights.squeeze(1)}


class MnfHead(nn.Module):
    """The method head of 'mnf-csc' (TS names: mnf.*)."""

    def __init__(self, d, num_classes):
        super().__init__()
        self.mnf = MNF(d, num_classes)


COSINE_EPS = 1e-8


def triplet_loss(v, a, a_tilde, margin):
    """cos = x/max(||x||, 1e-8) . y/max(||y||, 1e-8) in torch 1.13, finite (with its gradient) at a zero row"""
    cos = lambda x, y: F.cosine_similarity(x, y, dim=1, eps=COSINE_EPS)
    return F.relu(cos(v, a) - cos(v, a_tilde) + margin).mean()


def gate_l1(mnf, weight, original=False):
    w1, w2 = mnf.gate.fc1.weight, mnf.gate.fc2.weight
    return weight * (w2.abs().sum() if original else w1.abs().sum() + w2.abs().sum())


def mnf_csc_step(student, head, x, a, labels, cfg, opt_s, opt_m):
    """One training step with the seed's routing: θs <- ∇θs(CE(p_v) + CSC), θm <- ∇θm(CE(p_sv) + L1 + triplet + CSC)."""
    student.train()
    head.train()
    feature_map, v, logits = student(x)
    out = head.mnf(feature_map, a)
    terms = {
        "ceStudent": F.cross_entropy(logits, labels),
        "csc": csc_loss(v, out["z"], out["a_tilde"], labels, cfg["theta"], calibrated=True),
        "ceMnf": F.cross_entropy(out["logits"], labels),
        "triplet": triplet_loss(v, a, out["a_tilde"], cfg["tripletMargin"]),
        "gateL1": gate_l1(head.mnf, cfg["l1Weight"], cfg["l1Original"]),
    }
    loss_s = terms["ceStudent"] + terms["csc"]
    loss_m = terms["ceMnf"] + terms["gateL1"] + terms["triplet"] + terms["csc"]
    params_s = list(student.parameters())
    params_m = list(head.parameters())
    grads_s = torch.autograd.grad(loss_s, params_s, retain_graph=True, allow_unused=True)
    grads_m = torch.autograd.grad(loss_m, params_m, allow_unused=True)
    for p, g in zip(params_s + params_m, list(grads_s) + list(grads_m)):
        p.grad = g
    opt_s.step()
    opt_m.step()
    return {k: float(t) for k, t in terms.items()}, logits


def make_optimizers(student, head, cfg):
    opt_s = torch.optim.Adam(student.parameters(), lr=cfg["lrStudent"], weight_decay=cfg["weightDecay"])
    # run configs name the head's learning rate lrHead; the committed step fixtures (model_fixtures.py) lrMnf
    opt_m = torch.optim.Adam(head.parameters(), lr=cfg["lrHead"] if "lrHead" in cfg else cfg["lrMnf"], weight_decay=cfg["weightDecay"])
    return opt_s, opt_m


def to_ts(name, t):
    """{TS name: tensor in TS layout} for one reference tensor."""
    t = t.detach()
    if name.endswith("in_proj_weight"):
        prefix = name[: -len("in_proj_weight")]
        d = t.shape[1]
        return {f"{prefix}{p}_proj_weight": t[i * d:(i + 1) * d].t().contiguous() for i, p in enumerate("qkv")}
    if t.dim() == 5:
        return {name: t.permute(2, 3, 4, 1, 0).contiguous()}
    if t.dim() == 2:
        return {name: t.t().contiguous()}
    return {name: t}


def ts_state(module):
    """state_dict in TS names and layouts (num_batches_tracked dropped)."""
    out = {}
    for k, v in module.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            out.update(to_ts(k, v))
    return out
