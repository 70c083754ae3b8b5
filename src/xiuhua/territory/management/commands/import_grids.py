from xiuhua.core.tabular import ImportCommand
from xiuhua.territory.importers import import_grids


class Command(ImportCommand):
    help = "从 GeoJSON 或压缩的 Shapefile（.zip）导入单元网格：按网格代码新增或更新，有任何错误则全部不写入。"
    importer = staticmethod(import_grids)
