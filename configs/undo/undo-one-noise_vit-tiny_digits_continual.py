# "UNDO, noise by share" with one noise at every task (0.75, the share
# rule's last-task noise), as on the numbers.
_base_ = ['./undo-by-share_vit-tiny_digits_continual.py']

train_cfg = dict(
    method=dict(noise=0.75, noise_by_forgotten_share=False,
                name='UNDO, one noise'))
