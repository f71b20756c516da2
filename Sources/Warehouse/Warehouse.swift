// Module Warehouse
