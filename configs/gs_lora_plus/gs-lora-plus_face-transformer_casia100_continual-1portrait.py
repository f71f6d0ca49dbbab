# GS-LoRA++ on the CASIA-100 faces, one portrait: each request brings a single
# training image of each forgotten identity and no other forget data; the
# kept identities' data as in gs-lora-plus_face-transformer_casia100_continual.py,
# whose values this takes.
_base_ = './gs-lora-plus_face-transformer_casia100_continual.py'

train_dataloader = dict(dataset=dict(forget_shots=1))
