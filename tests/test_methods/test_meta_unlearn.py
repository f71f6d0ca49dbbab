"""MetaUnlearn: the learned loss's one step by hand; its meta-training reads
the kept classes' images only, and the step moves the weights."""
import pytest
import torch

from method_helpers import (build_classifier, fake_context, preprocess,
                            random_batch)
from mmforget.methods import build_method
from mmforget.methods.meta_unlearn import LossNetwork, unlearning_step


def test_the_loss_network_gives_one_non_negative_loss_per_batch():
    network = LossNetwork(num_classes=5, embed_dims=3, hidden=8)
    loss = network(torch.randn(4, 5), torch.randn(4, 3))
    assert loss.dim() == 0 and float(loss) >= 0


def test_the_step_is_theta_minus_eta_times_the_learned_losss_gradient():
    model = build_classifier(seed=1)
    model.eval()
    inputs = preprocess(model, random_batch([True] * 3, [0, 1, 2]))[
        'inputs']
    embed_dims = model.head.pre_logits(model.extract_feat(inputs)).shape[-1]
    network = LossNetwork(model.head.num_classes, embed_dims, hidden=8)
    network.eval()
    stepped = unlearning_step(model, network, inputs, step_size=0.5)
    # By hand: the same loss on the model itself, its gradient, the step.
    feats = model.extract_feat(inputs)
    loss = network(model.logits(feats), model.head.pre_logits(feats))
    names = [n for n, _ in model.named_parameters()]
    grads = torch.autograd.grad(loss, [p for _, p in
                                       model.named_parameters()],
                                allow_unused=True)
    for name, grad in zip(names, grads):
        before = dict(model.named_parameters())[name]
        expected = before if grad is None else before - 0.5 * grad
        assert torch.allclose(stepped[f'model.{name}'], expected,
                              atol=1e-6), name
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


def test_meta_training_reads_kept_images_only_and_the_step_forgets_portraits():
    model = build_classifier(seed=2)
    kept = [random_batch([False] * 8, [c % 4 for c in range(8)], seed=s)
            for s in range(2)]
    portrait = random_batch([True, True], [8, 9], seed=5)
    read = []

    def data_loader(split='all', batch_size=None, task_index=None):
        read.append(split)
        return kept if split == 'retain' else [portrait]

    context = fake_context(data_loader=data_loader, max_epochs=0)
    method = build_method(dict(type='mmforget.MetaUnlearn', meta_steps=3,
                               hidden=8, group_size=2), model)
    networks = []
    original = method.meta_train

    def kept_meta_train(model_, images, labels, forget_count):
        assert set(labels.tolist()) <= {0, 1, 2, 3}  # kept classes only
        network = original(model_, images, labels, forget_count)
        networks.append(network)
        return network

    method.meta_train = kept_meta_train
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    method.before_tasks(model, context)
    method.start_task(model, context)
    # before_tasks reads one kept batch (its tiles), start_task the kept
    # classes for h_phi, then the portraits.
    assert read == ['retain', 'retain', 'forget'] and len(networks) == 1
    changed = [n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])]
    assert changed  # one step moved the weights
    with pytest.raises(ValueError, match='training-free'):
        method.before_tasks(model, fake_context(max_epochs=3))
    # Images that are no row of square tiles have no never-seen reference.
    wide = [random_batch([False] * 2, [0, 1], size=8)]
    wide[0]['inputs'] = [torch.zeros(1, 8, 12, dtype=torch.uint8)] * 2
    with pytest.raises(ValueError, match='no row of squares'):
        method.before_tasks(model, fake_context(
            data_loader=lambda *args: wide, max_epochs=0))
