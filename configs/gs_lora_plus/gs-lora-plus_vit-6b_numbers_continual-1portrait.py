# GS-LoRA++, one portrait: each request brings a single training image of each
# forgotten number and no other forget data; the kept numbers' data as in
# gs-lora-plus_vit-6b_numbers_continual.py, whose values this takes.
_base_ = './gs-lora-plus_vit-6b_numbers_continual.py'

train_dataloader = dict(dataset=dict(forget_shots=1))
