"""A tiny classifier, batches and a task context for the method tests."""
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import MODELS, DefaultScope
from mmpretrain.structures import DataSample

from mmforget.datasets import ForgettingSchedule
from mmforget.methods import TaskContext, build_method

DIGITS_MODEL = 'configs/_base_/models/vit-tiny_digits.py'


def digits_model_cfg(lora=None):
    cfg = Config.fromfile(DIGITS_MODEL).model
    cfg.type = 'ForgettingClassifier'
    cfg.lora = lora
    return cfg


def build_classifier(lora=None, seed=0, lora_b_std=None):
    """The 4-block digits ViT with random weights and a random head (a
    zero-initialised head would make every logit equal); ``lora_b_std``:
    random B matrices too, so that the adapters change the function."""
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(digits_model_cfg(lora))
    model.init_weights()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if lora_b_std and name.endswith('lora_B'):
                param.normal_(0, lora_b_std)
            elif name.startswith('head.'):
                param.normal_(0, 0.5)
    return model


def random_batch(forget_flags, labels, size=8, channels=1, seed=0):
    """A collated (not yet preprocessed) batch of random images."""
    generator = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for forget, label in zip(forget_flags, labels):
        inputs.append(torch.randint(0, 255, (channels, size, size),
                                    dtype=torch.uint8, generator=generator))
        sample = DataSample().set_gt_label(int(label))
        sample.set_metainfo(dict(forget=forget))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def fake_context(model_cfg=None, num_classes=10, forget=(8, 9), batches=(),
                 **fields):
    """The ``TaskContext`` of task 0 of a one-task schedule whose data
    loaders yield ``batches`` (split by their forget flags); ``fields``
    replace the other fields (``max_epochs``, ``evaluate``...)."""
    schedule = ForgettingSchedule(
        class_names=[str(c) for c in range(num_classes)],
        tasks=[[str(c) for c in forget]])
    batches = list(batches)

    def data_loader(split='all', batch_size=None, task_index=None):
        if split == 'all':
            return batches
        want = split == 'forget'
        return [pseudo_collate_split(b, want) for b in batches]

    def no_released_task(index):
        raise AssertionError('a one-task context has no released task')

    return TaskContext(**{
        **dict(task_index=0, schedule=schedule, max_epochs=1, run_seed=0,
               model_cfg=model_cfg or digits_model_cfg(),
               has_val_split=False, data_loader=data_loader,
               evaluate=lambda split: {},
               load_released_task=no_released_task),
        **fields})


def pseudo_collate_split(batch, forget):
    keep = [i for i, s in enumerate(batch['data_samples'])
            if bool(s.metainfo.get('forget')) == forget]
    return pseudo_collate(
        [dict(inputs=batch['inputs'][i],
              data_samples=batch['data_samples'][i]) for i in keep])


def attach(model, method_cfg, context=None):
    """Build a method, attach it, and run what precedes training."""
    method = build_method(method_cfg, model)
    context = context or fake_context()
    method.before_tasks(model, context)
    method.start_task(model, context)
    method.set_trainable(model)
    return method, context


def preprocess(model, batch):
    return model.data_preprocessor(batch, True)


class FakeDetector:
    """Has every member of ``DETRModel``: a detector to ``model_kind``, for
    the tests of methods that refuse detectors."""
    data_preprocessor = bbox_head = None
    uses_softmax = False

    def __getattr__(self, name):
        if name in ('extract_feat', 'subset_loss', 'class_prototypes',
                    'frozen_copy', 'start_task', 'finish_task',
                    'merged_state_dict', 'released_state_dict',
                    'head_outputs', 'set_loss',
                    'forget_set_loss', 'counted_layers', 'matched_labels',
                    'class_branches'):
            return lambda *args: None
        raise AttributeError(name)
