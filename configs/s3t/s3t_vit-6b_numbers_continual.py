# S3T's deletions on the numbers: four requests, each deleting one slice of
# ten numbers (70-79, 50-59, 90-99, 60-69) of the store that
# s3t-train_vit-6b_numbers.py wrote; training-free, each request serves the
# longest slice prefix that holds no deleted number. The numbers 00-49 (the
# base) are never deleted. `make -f research.mk s3t-numbers`.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/training_free.py'
]
STORE = 'work_dirs/s3t_numbers/train_seed0/s3t_store'

model = dict(pretrained=STORE + '/served.pth')
train_dataloader = dict(
    dataset=dict(
        schedule=dict(
            num_tasks=None, first_num_classes=None, forget_per_task=None,
            tasks=[list(range(70, 80)), list(range(50, 60)),
                   list(range(90, 100)), list(range(60, 70))])))
train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.S3T', store=STORE))
param_scheduler = None
