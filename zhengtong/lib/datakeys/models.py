from django.db import models


class DataKey(models.Model):
    """One version of a data key, stored only wrapped by the master key (or the KMS)."""

    purpose = models.CharField("用途", max_length=40)
    version = models.PositiveIntegerField("版本")
    wrapped = models.BinaryField("包裹后的密钥")
    # Which master key wrapped it (a fingerprint, or the KMS key id): names the key in errors.
    master_key_id = models.CharField("主密钥标识", max_length=80)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据密钥"
        verbose_name_plural = "数据密钥"
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="datakey_purpose_version")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} 第 {self.version} 版"
