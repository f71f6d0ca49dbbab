# UNDO without a teacher whose noise grows with the share of the digits
# forgotten so far (0.19, 0.38, 0.56, 0.75 over the 4 x 2 tasks), from the
# head-edited model, as on the numbers.
_base_ = ['./undo-no-teacher_vit-tiny_digits_continual.py']

train_cfg = dict(
    method=dict(noise=0.9375, noise_by_forgotten_share=True,
                reset_forgotten_rows=True, name='UNDO, noise by share'))
