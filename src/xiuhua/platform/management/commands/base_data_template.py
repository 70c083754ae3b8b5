from django.core.management.base import BaseCommand

from xiuhua.platform.management.commands.export_base_data import add_kind_arguments, write_base_data


class Command(BaseCommand):
    help = "生成基础数据导入模板：中文列标题加一行示例（区划、网格为带一个示例要素的 GeoJSON 或 Shapefile）。"

    def add_arguments(self, parser):
        add_kind_arguments(parser)

    def handle(self, *args, kind, fmt, output, **options):
        write_base_data(self, kind, fmt, output, template=True)
