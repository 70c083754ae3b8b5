from xiuhua.core.tabular import ImportCommand
from xiuhua.territory.importers import import_divisions


class Command(ImportCommand):
    help = "从 GeoJSON 或压缩的 Shapefile（.zip）导入行政区划：按区划代码新增或更新，有任何错误则全部不写入。"
    importer = staticmethod(import_divisions)
