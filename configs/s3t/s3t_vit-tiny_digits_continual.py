# S3T's deletions on the digits: two requests, each deleting one slice
# (8-9, then 6-7) of the store s3t-train_vit-tiny_digits.py wrote;
# training-free. The digits 0-5 (the base) are never deleted.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/training_free.py'
]
STORE = 'work_dirs/s3t_train_digits/s3t_store'

model = dict(pretrained=STORE + '/served.pth')
train_dataloader = dict(
    dataset=dict(
        schedule=dict(
            num_tasks=None, first_num_classes=None, forget_per_task=None,
            tasks=[[8, 9], [6, 7]])))
train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.S3T', store=STORE))
param_scheduler = None
