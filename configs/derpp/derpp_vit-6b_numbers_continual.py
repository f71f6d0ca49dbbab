# DER++ on the handwritten numbers (4 x 20): the protocol every method
# shares, with the papers' face hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.DERPlusPlus',
        embedding_weight=0.005, retain_weight=0.005))
