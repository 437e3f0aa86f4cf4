"""Fixtures for the student, the MNF and one full training step (test/models-*.test.ts,
test/train-step.test.ts). Tensors are float32 little-endian, base64, in TS layouts (NDHWC
activations, DHWIO conv filters, (in, out) linear weights): {"shape": [...], "b64": "..."}.
Weight names equal the TS ParamStore names (= the reference's state_dict keys)."""
import base64
import json

import torch

from torch_models import MnfHead, R2Plus1D, make_optimizers, mnf_csc_step, to_ts, ts_state


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "b64": base64.b64encode(t.numpy().astype("<f4").tobytes()).decode()}


def enc_state(state):
    return {k: enc(v) for k, v in state.items()}


def randomise_bn(module, gen):
    """Non-trivial BN affine parameters and running statistics, so both modes are exercised;
    non-zero attention biases."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm3d)):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen))
            if isinstance(m, torch.nn.MultiheadAttention):
                # PyTorch zero-initialises these; the key and value biases (and out_proj.bias, which
                # proj.bn cancels) get no gradient, so only weight decay on non-zero values gives
                # Adam a well-defined direction to compare
                m.in_proj_bias.copy_(0.1 * torch.randn(m.in_proj_bias.shape, generator=gen))
                m.out_proj.bias.copy_(0.1 * torch.randn(m.out_proj.bias.shape, generator=gen))


def clips(gen, b, t, h, w):
    """(B, 3, T, H, W) for torch and the same values NDHWC for TS"""
    x = torch.randn(b, 3, t, h, w, generator=gen)
    return x, x.permute(0, 2, 3, 4, 1)


def student_fixture(gen):
    cfg = {"width": 0.0625, "featureDim": 16, "layers": [1, 1, 1, 1], "numClasses": 5, "teacherDim": 16}
    model = R2Plus1D(cfg["width"], cfg["featureDim"], cfg["layers"], cfg["numClasses"])
    randomise_bn(model, gen)
    x, x_ts = clips(gen, 2, 4, 24, 24)
    weights = enc_state(ts_state(model))
    model.eval()
    with torch.no_grad():
        fm_e, pooled_e, logits_e = model(x)
    model.train()
    with torch.no_grad():
        fm_t, pooled_t, logits_t = model(x)
    running = {k: enc(v) for k, v in ts_state(model).items() if "running_" in k}
    return {
        "config": cfg,
        "x": enc(x_ts),
        "weights": weights,
        "eval": {"featureMap": enc(fm_e), "pooled": enc(pooled_e), "logits": enc(logits_e)},
        "train": {"featureMap": enc(fm_t), "pooled": enc(pooled_t), "logits": enc(logits_t), "runningAfter": running},
    }


def mnf_fixture(gen):
    d, classes, b, n = 16, 5, 4, 6
    head = MnfHead(d, classes)
    randomise_bn(head, gen)
    feature_map = torch.relu(torch.randn(b, n, d, generator=gen))
    a = torch.relu(torch.randn(b, d, generator=gen))
    weights = enc_state(ts_state(head))
    out = {}
    for mode in ("eval", "train"):
        head.train(mode == "train")
        with torch.no_grad():
            o = head.mnf(feature_map, a)
        out[mode] = {k: enc(v) for k, v in o.items()}
    out["train"]["runningAfter"] = {k: enc(v) for k, v in ts_state(head).items() if "running_" in k}
    return {"config": {"dim": d, "numClasses": classes}, "featureMap": enc(feature_map), "a": enc(a), "weights": weights, **out}


def step_fixture(gen):
    model_cfg = {"width": 0.03125, "featureDim": 8, "layers": [1, 1, 1, 1], "numClasses": 3, "teacherDim": 8}
    # learning rates 30x the paper's so that a wrong update is far outside the tolerance
    cfg = {"theta": 0.07, "tripletMargin": 0.2, "l1Weight": 0.001, "l1Original": False,
           "lrStudent": 0.01, "lrMnf": 0.002, "weightDecay": 5e-4}
    student = R2Plus1D(model_cfg["width"], model_cfg["featureDim"], model_cfg["layers"], model_cfg["numClasses"])
    head = MnfHead(model_cfg["featureDim"], model_cfg["numClasses"])
    randomise_bn(student, gen)
    randomise_bn(head, gen)
    x, x_ts = clips(gen, 4, 2, 24, 24)
    a = torch.relu(torch.randn(4, model_cfg["featureDim"], generator=gen))
    labels = torch.tensor([0, 1, 0, 2])
    before = {"student": enc_state(ts_state(student)), "head": enc_state(ts_state(head))}
    opt_s, opt_m = make_optimizers(student, head, cfg)
    losses, _ = mnf_csc_step(student, head, x, a, labels, cfg, opt_s, opt_m)
    grads = {}
    for prefix, module in (("student", student), ("head", head)):
        grads[prefix] = {n: enc(t) for k, p in module.named_parameters() if p.grad is not None for n, t in to_ts(k, p.grad).items()}
    after = {"student": enc_state(ts_state(student)), "head": enc_state(ts_state(head))}
    return {"model": model_cfg, "config": cfg, "x": enc(x_ts), "a": enc(a), "labels": labels.tolist(),
            "before": before, "losses": losses, "grads": grads, "after": after}


def write_fixtures(out_dir):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    for name, make in (("model_student", student_fixture), ("model_mnf", mnf_fixture), ("step_mnf_csc", step_fixture)):
        (out_dir / f"{name}.json").write_text(json.dumps(make(gen)))
