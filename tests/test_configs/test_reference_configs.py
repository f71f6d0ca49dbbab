"""A reference must differ from its original only by what it forgets."""


def test_the_memorising_retrain_keeps_its_originals_recipe():
    """The memorising digits setting's Retrain must differ from its
    original only by the forgotten digits: the same pipeline (no shift),
    optimizer, schedule length and epochs as the memorising pre-training,
    on the same training images, every epoch as long as that split; and
    every method of the plan reads those images only."""
    from mmengine.config import Config
    original = Config.fromfile(
        'configs/pretrain/vit-tiny_digits-memorising.py')
    retrain = Config.fromfile('configs/retrain/'
                              'retrain-converged_vit-tiny_digits-memorising'
                              '_continual.py')
    dataset = retrain.train_dataloader.dataset
    assert dataset.dataset.pipeline == original.train_dataloader.dataset[
        'pipeline'] == [dict(type='PackInputs')]
    assert dataset.data_ratio == 1.0 and dataset.epoch_length == 'full'
    images = original.train_dataloader.dataset.indices
    assert dataset.dataset.indices == images == 270
    plan = Config.fromfile(
        'configs/comparisons/vit-tiny_digits-memorising_depth.py')
    assert f'train_dataloader.dataset.dataset.indices={images}' \
        in plan.options
    assert retrain.train_cfg.max_epochs == original.train_cfg.max_epochs
    assert retrain.param_scheduler == original.param_scheduler
    assert retrain.optim_wrapper.optimizer.lr == \
        original.optim_wrapper.optimizer.lr
    assert retrain.train_dataloader.batch_size == \
        original.train_dataloader.batch_size
