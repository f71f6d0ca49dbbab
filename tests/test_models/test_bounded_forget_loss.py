import pytest
import torch

from mmforget.models import BoundedForgetLoss


def test_bound_clamps_and_gradient_stops_there():
    loss = BoundedForgetLoss(bound=10.0, loss_weight=0.5)
    below = torch.tensor(4.0, requires_grad=True)
    value = loss(below)
    value.backward()
    assert value.item() == pytest.approx(3.0)  # 0.5 * (10 - 4)
    assert below.grad.item() == pytest.approx(-0.5)  # ascent on the CE
    above = torch.tensor(12.0, requires_grad=True)
    loss(above).backward()
    assert loss(above).item() == 0.0
    assert above.grad.item() == 0.0


def test_per_task_weights():
    loss = BoundedForgetLoss(bound=1.0, loss_weight=[0.1, 0.3])
    loss.task = 1
    assert loss(torch.tensor(0.0)).item() == pytest.approx(0.3)
    loss.task = 2
    with pytest.raises(ValueError, match='task 2 needs one'):
        loss(torch.tensor(0.0))
