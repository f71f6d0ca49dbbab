# UNDO without a teacher whose noise grows with the share of the classes
# forgotten so far, from the head-edited model: task t of 4 x 20 starts
# 0.9375 * share of the way to a fresh initialisation (0.19, 0.38, 0.56,
# 0.75), so the first tasks, which leave 80 classes to rebuild, stay near
# the trained weights, and the last, which leaves 20, starts where the
# one-request comparison's validation pick did (noise 0.75 at 80 of 100
# forgotten). The forgotten head rows are set to Head reset's zeros first.
_base_ = ['./undo-no-teacher_vit-6b_numbers_continual.py']

train_cfg = dict(
    method=dict(noise=0.9375, noise_by_forgotten_share=True,
                reset_forgotten_rows=True, name='UNDO, noise by share'))
