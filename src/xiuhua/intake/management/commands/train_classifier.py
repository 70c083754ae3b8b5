from django.core.management.base import BaseCommand, CommandError

from xiuhua.intake.classifier import HELD_OUT_SHARE, NotEnoughCases, describe_labels, train


class Command(BaseCommand):
    help = (
        "用已结案案卷（问题描述 → 小类）训练文本分类模型：先按小类分层留出 20% 测准确率，"
        "再用全部案卷重新训练并设为当前模型，供热线工单建议分类。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0, help="随机种子（留出划分和模型），默认 0")

    def handle(self, *args, seed, **options):
        try:
            result = train(seed=seed)
        except NotEnoughCases as exc:
            raise CommandError(exc.message) from exc
        model = result.model
        trained = model.case_count - model.held_out_count
        self.stdout.write(f"训练案卷：{model.case_count} 件已结案案卷，{model.class_count} 个小类")
        if result.dropped:
            self.stdout.write(f"未参与训练（该小类已结案案卷少于 2 件）：{describe_labels(result.dropped)}")
        self.stdout.write(
            f"留出验证：按小类分层留出 {model.held_out_count} 件（约 {HELD_OUT_SHARE:.0%}），用其余 {trained} 件拟合"
        )
        self.stdout.write(
            f"留出准确率：首选 {model.top1_accuracy:.1%}，前三 {model.top3_accuracy:.1%}"
            f"（多数类基线：首选 {model.baseline_accuracy:.1%}，前三 {result.baseline_top3:.1%}）"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已用全部 {model.case_count} 件重新训练并设为当前模型（#{model.pk}），用时 {result.seconds} 秒。"
            )
        )
        self.stdout.write("说明：" + model.notes.replace("\n", "\n说明："))
