from .face_transformer import FaceTransformer

__all__ = ['FaceTransformer']
